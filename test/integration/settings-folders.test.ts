// The model folder chosen in settings is where the core and the CLI keep the library.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Core } from '../../electron/core/core.js';
import { CLI, STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

describe('settings.models.folder', () => {
  it('puts imported models there, and the CLI lists them from there', async () => {
    const data = tempDir();
    const elsewhere = tempDir('llama-orch-models-');
    try {
      mkdirSync(data.path, { recursive: true });
      writeFileSync(join(data.path, 'settings.json'), JSON.stringify({ models: { folder: elsewhere.path } }));
      const core = new Core({ dataDir: data.path, host: '127.0.0.1', port: 0 });
      await core.library.import(STORIES_MODEL, { id: 'tiny', link: true });
      expect(existsSync(join(elsewhere.path, 'tiny', 'manifest.json'))).toBe(true);
      expect(existsSync(join(data.path, 'models', 'tiny'))).toBe(false);
      await core.stop();
      const listed = JSON.parse(execFileSync(process.execPath, [CLI, 'models', 'list', '--json', '--data-dir', data.path], { encoding: 'utf8' })) as unknown;
      expect(JSON.stringify(listed)).toContain('"tiny"');
    } finally {
      data.cleanup();
      elsewhere.cleanup();
    }
  });
});
