// The x64 build of the app on Apple Silicon runs under Rosetta: process.arch says x64, but the engine
// to install is the arm64 Metal build (an x64 engine would run translated, on the CPU only).
import { describe, expect, it } from 'vitest';
import { parseAssetName } from '../../../electron/core/engines/release.js';
import { chooseVariant } from '../../../electron/core/engines/variant.js';
import { hardwareArch } from '../../../electron/core/util/platform.js';

const ASSETS = ['llama-b11195-bin-macos-arm64.tar.gz', 'llama-b11195-bin-macos-x64.tar.gz'].map((name) => ({ name, size: 1, sha256: 'a'.repeat(64), url: `https://x/${name}` }));
const sysctl = (answer: string) => async () => ({ ok: true, stdout: answer });

describe('variant choice under Rosetta', () => {
  it('chooses the Metal arm64 build when sysctl.proc_translated says the x64 app is translated', async () => {
    const arch = await hardwareArch('darwin', 'x64', sysctl('1\n'));
    expect(chooseVariant({ platform: 'darwin', cpu: { arch }, gpus: [] }, ASSETS)).toMatchObject({ variant: 'macos-arm64', backend: 'metal' });
  });

  it('keeps the x64 CPU build on an Intel Mac', async () => {
    const arch = await hardwareArch('darwin', 'x64', sysctl(''));
    expect(chooseVariant({ platform: 'darwin', cpu: { arch }, gpus: [] }, ASSETS)).toMatchObject({ variant: 'macos-x64', backend: 'cpu' });
    expect(parseAssetName(ASSETS[1]!.name)?.arch).toBe('x64');
  });
});
