// The About section's facts about an engine build (provenance and licence), and the app licence it
// shows, which must be the one package.json declares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_LICENSE, type EngineInfo } from '../../../electron/contract/index.js';
import { engineLicenseText, engineProvenance } from '../../../renderer/src/features/settings/selectors.js';
import { ROOT } from '../../helpers/paths.js';

const engine = (over: Partial<EngineInfo>): EngineInfo => ({
  id: 'b11195-ubuntu-vulkan-x64',
  dir: '/e',
  binary: '/e/llama-server',
  tag: 'b11195',
  variant: 'ubuntu-vulkan-x64',
  backend: 'vulkan',
  installedAt: null,
  version: 'version: 11195 (3d4e7a0)',
  commit: '3d4e7a0',
  digest: 'ab'.repeat(32),
  devices: [],
  inUseBy: [],
  source: {
    kind: 'release',
    location: 'https://api.github.com/repos/ggml-org/llama.cpp/releases/tags/b11195',
    archives: [
      {
        name: 'llama-b11195-bin-ubuntu-vulkan-x64.tar.gz',
        sha256: 'ab'.repeat(32),
        bytes: 1,
        url: 'https://github.com/ggml-org/llama.cpp/releases/download/b11195/llama-b11195-bin-ubuntu-vulkan-x64.tar.gz',
      },
    ],
  },
  license: { spdx: 'MIT', basis: 'file', files: ['LICENSE'] },
  ...over,
});

describe('About: engine provenance', () => {
  it('lists release, commit, build, archive digest, origin and licence', () => {
    expect(engineProvenance(engine({}))).toEqual([
      { label: 'Release', value: 'b11195' },
      { label: 'Commit', value: '3d4e7a0' },
      { label: 'Build', value: 'ubuntu-vulkan-x64' },
      { label: 'Archive sha256', value: 'ab'.repeat(32) },
      { label: 'From', value: 'https://github.com/ggml-org/llama.cpp/releases/download/b11195/llama-b11195-bin-ubuntu-vulkan-x64.tar.gz' },
      { label: 'Licence', value: 'MIT (licence file in the archive)' },
    ]);
  });

  it('says unknown for an engine copied in by hand (no manifest), never a guess', () => {
    const rows = engineProvenance(engine({ tag: null, commit: null, variant: null, digest: null, source: null, license: null }));
    expect(rows.map((r) => r.value)).toEqual(['unknown', 'unknown', 'copied in by hand', 'unknown', 'unknown', 'unknown']);
  });

  it('says how a licence is known', () => {
    expect(engineLicenseText({ spdx: 'MIT', basis: 'upstream', files: [] })).toBe("MIT (llama.cpp's licence; the archive has no licence file)");
    expect(engineLicenseText({ spdx: null, basis: 'unknown', files: ['LICENSE'] })).toBe('unknown');
  });

  it('shows the licence package.json declares for the app', () => {
    expect(APP_LICENSE).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string }).license);
  });
});
