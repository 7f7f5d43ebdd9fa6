// The key store fails closed: once keys existed, a key file that is deleted, emptied to `{}` or
// corrupted refuses key-less requests; a data dir that does not exist yet is created on first key.
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyStore } from '../../../electron/core/security/keys.js';
import { tempDir } from '../../helpers/tmp.js';

/** The store re-reads the file at most once a second: wait until it has. */
async function until(check: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !check();) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('KeyStore', () => {
  it('creates a missing data dir on the first key (keys create on a fresh machine)', () => {
    const dir = tempDir();
    try {
      const store = new KeyStore(join(dir.path, 'not', 'yet', 'keys.json'));
      expect(store.create('ci', 'inference').key).toMatch(/^lo-/);
      expect(existsSync(join(dir.path, 'not', 'yet', 'keys.json'))).toBe(true);
    } finally {
      dir.cleanup();
    }
  });

  it.each([
    ['deleted', (f: string) => rmSync(f)],
    ['replaced by {}', (f: string) => writeFileSync(f, '{}')],
    ['corrupted', (f: string) => writeFileSync(f, '{"keys": [')],
  ])('fails closed with a log line when the key file is %s after keys existed', async (_n, spoil) => {
    const dir = tempDir();
    try {
      const warnings: string[] = [];
      const file = join(dir.path, 'keys.json');
      const store = new KeyStore(file, (m) => warnings.push(m));
      store.create('ci', 'inference');
      expect(store.failClosed).toBeNull();
      spoil(file);
      await until(() => store.failClosed !== null);
      expect(store.count).toBe(0);
      expect(warnings.join('\n')).toMatch(/refused \(401\)/);
      // A new key restores normal operation.
      store.create('again', 'inference');
      expect(store.failClosed).toBeNull();
    } finally {
      dir.cleanup();
    }
  });

  it('stays open after every key was revoked on purpose', () => {
    const dir = tempDir();
    try {
      const store = new KeyStore(join(dir.path, 'keys.json'), () => undefined);
      const { info } = store.create('ci', 'inference');
      store.revoke(info.id);
      expect([store.count, store.failClosed]).toEqual([0, null]);
      expect(readdirSync(dir.path)).toEqual(['keys.json']);
    } finally {
      dir.cleanup();
    }
  });
});
