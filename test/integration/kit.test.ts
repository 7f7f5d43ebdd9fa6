// The offline kit end to end with real files, the real engine and the real model: a data dir with
// an engine, stories260K and a saved deployment is exported through the CLI, imported into an empty
// data dir, and the deployment answers a chat there on the first request. A copy cut half-way
// resumes; a flipped byte and a missing file are refused by name and register nothing.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KIT_MANIFEST, KIT_PROGRESS_KINDS, KIT_ROUTES, type ProgressEvent, type KitExportResult, type KitImportResult, type KitManifest } from '../../electron/contract/index.js';
import { Core } from '../../electron/core/core.js';
import { KitError } from '../../electron/core/kit/errors.js';
import { importKit } from '../../electron/core/kit/import.js';
import { ENGINE_ID, sourceDataDir, TAG, VARIANT } from '../helpers/kit-source.js';
import { CLI } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const canRun = process.platform === 'linux' && process.arch === 'x64';
if (!canRun) console.warn('kit: skipped, the test engine archive is built for linux-x64 only');

const CHAT = { model: 'story', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8, temperature: 0 };

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));
}

/** What a data dir holds: nothing registered means all three are empty. */
function registered(dataDir: string): { engines: string[]; models: string[]; deployments: string[] } {
  const core = new Core({ dataDir });
  const out = {
    engines: core.engines.list().map((e) => e.id),
    models: core.library.list().map((m) => m.id),
    deployments: core.deployments
      .views()
      .filter((d) => d.saved)
      .map((d) => d.name),
  };
  void core.stop();
  return out;
}

function targets(core: Core) {
  return core.kitTargets();
}

/** Import into a fresh in-process core, listen, and ask the kit's deployment for a chat. */
async function chatAfterImport(dataDir: string): Promise<{ status: number; text: string }> {
  const core = new Core({ dataDir, host: '127.0.0.1', port: 0 });
  try {
    const url = await core.listen();
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CHAT) });
    return { status: res.status, text: await res.text() };
  } finally {
    await core.stop();
  }
}

describe.skipIf(!canRun)('offline kit', () => {
  const work = tempDir();
  const source = join(work.path, 'source');
  const kit = join(work.path, 'kit');
  let exported: KitExportResult;

  beforeAll(async () => {
    await sourceDataDir(source, work.path);
    const r = await cli('kit', 'export', kit, '--data-dir', source, '--json');
    expect(r.code, r.stderr).toBe(0);
    exported = JSON.parse(r.stdout) as KitExportResult;
  }, 120_000);
  afterAll(() => work.cleanup());

  it('exports kit.json listing every file with size and sha256, the engine, the model, the deployment and no secret', () => {
    const manifest = JSON.parse(readFileSync(join(kit, KIT_MANIFEST), 'utf8')) as KitManifest;
    expect(exported.engines).toEqual([ENGINE_ID]);
    expect(exported.deployments).toEqual(['demo']);
    expect(manifest.files.map((f) => f.path).sort()).toEqual([`engines/llama-${TAG}-bin-${VARIANT}.tar.gz`, `models/${exported.models[0]}/stories260K.gguf`]);
    for (const f of manifest.files) {
      const bytes = readFileSync(join(kit, f.path));
      expect(bytes.length).toBe(f.size);
      expect(execFileSync('sha256sum', [join(kit, f.path)], { encoding: 'utf8' }).split(' ')[0]).toBe(f.sha256);
    }
    expect(manifest.deployments[0]).toMatchObject({ name: 'demo', aliases: ['story'], engine: ENGINE_ID, overrides: { parallel: 1, contextSize: 256 } });
    expect(manifest.settings).toMatchObject({ hub: { token: '[removed]' } });
    const files = readdirSync(kit, { recursive: true, withFileTypes: true }).filter((d) => d.isFile());
    for (const f of files) expect(readFileSync(join(f.parentPath, f.name)).includes('hf_SECRETTOKEN_kit_test'), f.name).toBe(false);
  });

  it('imports into an empty data dir through the CLI, and the deployment answers the first chat', async () => {
    const target = tempDir();
    try {
      const r = await cli('kit', 'import', kit, '--data-dir', target.path, '--json');
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout) as KitImportResult;
      expect(result).toMatchObject({ engines: [ENGINE_ID], models: exported.models, deployments: ['demo'], resumedBytes: 0 });
      expect(readdirSync(join(target.path, 'downloads'))).toEqual([]); // staging removed
      const chat = await chatAfterImport(target.path);
      expect(chat.status, chat.text).toBe(200);
      expect(JSON.parse(chat.text).choices[0].message.content.length).toBeGreaterThan(0);
      // A second import changes nothing and says so.
      const again = await cli('kit', 'import', kit, '--data-dir', target.path, '--json');
      expect(JSON.parse(again.stdout)).toMatchObject({ engines: [], models: [], deployments: [] });
    } finally {
      target.cleanup();
    }
  }, 180_000);

  it("imports through the running core's admin API (the UI path) with progress events, and serves at once", async () => {
    const target = tempDir();
    const core = new Core({ dataDir: target.path, host: '127.0.0.1', port: 0 });
    try {
      const url = await core.listen();
      const progress: ProgressEvent[] = [];
      const off = core.events.subscribe((e) => void (e.type === 'progress' && e.kind === KIT_PROGRESS_KINDS.import && progress.push(e)));
      const admin = (body: unknown) =>
        fetch(`${url}${KIT_ROUTES.import}`, { method: 'POST', headers: { authorization: `Bearer ${core.auth.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const relative = await admin({ dir: 'kit' });
      expect(relative.status).toBe(400);
      expect(((await relative.json()) as { error: { param: string } }).error.param).toBe('dir');
      const res = await admin({ dir: kit });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.json()).toMatchObject({ engines: [ENGINE_ID], deployments: ['demo'] });
      off();
      expect(progress.length).toBeGreaterThan(1);
      expect(progress.at(-1)!.bytes).toBe(progress.at(-1)!.totalBytes);
      const chat = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(CHAT) });
      expect(chat.status, await chat.clone().text()).toBe(200);
    } finally {
      await core.stop();
      target.cleanup();
    }
  }, 120_000);

  it('resumes a copy cut half-way instead of starting again, and verifies the whole file', async () => {
    const target = tempDir();
    try {
      const total = JSON.parse(readFileSync(join(kit, KIT_MANIFEST), 'utf8')).files.reduce((s: number, f: { size: number }) => s + f.size, 0) as number;
      const cut = new Core({ dataDir: target.path });
      const pulled = new AbortController();
      const cutError = await importKit(targets(cut), kit, {
        signal: pulled.signal,
        onProgress: (p) => {
          if (p.phase === 'copy' && p.bytes > total / 2) pulled.abort(new Error('cable pulled'));
        },
      }).catch((e: Error) => e);
      await cut.stop();
      expect(cutError).toBeInstanceOf(Error);
      expect(cutError).not.toBeInstanceOf(KitError);
      expect(registered(target.path)).toEqual({ engines: [], models: [], deployments: [] });
      const resumed = new Core({ dataDir: target.path });
      const result = await importKit(targets(resumed), kit);
      expect(result.resumedBytes).toBeGreaterThan(0);
      expect(result.resumedBytes + result.copiedBytes).toBe(total);
      expect((await resumed.library.verify(exported.models[0]!)).ok).toBe(true);
      await resumed.stop();
      expect(registered(target.path)).toEqual({ engines: [ENGINE_ID], models: exported.models, deployments: ['demo'] });
    } finally {
      target.cleanup();
    }
  }, 120_000);

  it.each([
    ['a flipped byte', 'kit_tampered', (dir: string, m: KitManifest) => flipByte(join(dir, m.files.find((f) => f.path.startsWith('models/'))!.path)), 'models/'],
    ['a missing file', 'kit_incomplete', (dir: string, m: KitManifest) => rmSync(join(dir, m.files.find((f) => f.path.startsWith('engines/'))!.path)), 'engines/'],
  ])(
    'refuses a kit with %s, names the file and registers nothing',
    async (_what, code, damage, prefix) => {
      const bad = join(work.path, `bad-${code}`);
      cpSync(kit, bad, { recursive: true });
      const manifest = JSON.parse(readFileSync(join(bad, KIT_MANIFEST), 'utf8')) as KitManifest;
      damage(bad, manifest);
      const target = tempDir();
      try {
        const core = new Core({ dataDir: target.path });
        const err = await importKit(targets(core), bad).catch((e: unknown) => e);
        await core.stop();
        expect(err).toBeInstanceOf(KitError);
        expect((err as KitError).kitCode).toBe(code);
        expect((err as KitError).file).toMatch(new RegExp(`^${prefix}`));
        expect((err as KitError).message).toContain((err as KitError).file!);
        expect(registered(target.path)).toEqual({ engines: [], models: [], deployments: [] });
        expect(existsSync(join(target.path, 'downloads')) ? readdirSync(join(target.path, 'downloads')) : []).toEqual([]);
        const r = await cli('kit', 'import', bad, '--data-dir', target.path);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain((err as KitError).file!);
      } finally {
        target.cleanup();
      }
    },
    60_000,
  );
});

function flipByte(path: string): void {
  const bytes = readFileSync(path);
  bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
  writeFileSync(path, bytes);
}
