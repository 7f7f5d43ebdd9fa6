// Importing GGUF files into the library: the real stories260K model with its facts, links, split
// models, verification, removal, and the clear errors for bad files and unsafe names. Real files only.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelError } from '../../electron/core/models/errors.js';
import { ModelLibrary } from '../../electron/core/models/library.js';
import { GGML, llamaModel, writeGguf } from '../helpers/gguf-writer.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

const STORIES_SHA = createHash('sha256').update(readFileSync(STORIES_MODEL)).digest('hex');
const STORIES_SIZE = statSync(STORIES_MODEL).size;

async function failure(p: Promise<unknown>): Promise<ModelError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

describe('model library: import', () => {
  let tmp: ReturnType<typeof tempDir>;
  let modelsDir: string;
  let loaded: Set<string>;
  let lib: ModelLibrary;

  beforeEach(() => {
    tmp = tempDir();
    modelsDir = join(tmp.path, 'data', 'models');
    loaded = new Set();
    lib = new ModelLibrary({ modelsDir, isLoaded: (id) => loaded.has(id) });
  });
  afterEach(() => tmp.cleanup());

  it('imports the real stories260K model by copy with its GGUF facts, hash and a manifest that survives a reload', async () => {
    const m = await lib.import(STORIES_MODEL);
    expect(m.id).toBe('stories260k');
    expect(m.aliases).toEqual([]); // the file stem differs from the id only in case
    expect(lib.resolve('stories260K')?.id).toBe('stories260k');
    expect(m.facts).toMatchObject({
      architecture: 'llama',
      blockCount: 5,
      embeddingLength: 64,
      headCount: 8,
      headCountKv: 4,
      contextLength: 2048,
      sizeBytes: STORIES_SIZE,
    });
    expect(m.facts.layers.map((l) => l.index)).toEqual([0, 1, 2, 3, 4]);
    expect(m.facts.otherTensors.map((t) => t.name)).toContain('token_embd.weight');
    // Every tensor byte is accounted for and fits in the file.
    const summed = m.facts.layers.reduce((s, l) => s + l.bytes, 0) + m.facts.otherTensors.reduce((s, t) => s + t.bytes, 0);
    expect(summed).toBe(m.facts.tensorBytes);
    expect(m.facts.tensorBytes).toBeLessThanOrEqual(STORIES_SIZE);
    expect(m.facts.tensorBytes).toBeGreaterThan(STORIES_SIZE * 0.5);
    expect(m.facts.parameterCount).toBeGreaterThan(200_000);
    expect(m.files).toEqual([{ name: 'stories260K.gguf', path: join(modelsDir, 'stories260k', 'stories260K.gguf'), sizeBytes: STORIES_SIZE, sha256: STORIES_SHA }]);
    expect(readFileSync(m.files[0]!.path).equals(readFileSync(STORIES_MODEL))).toBe(true);
    expect(m.source).toEqual({ kind: 'import', path: STORIES_MODEL, linked: false });

    const again = new ModelLibrary({ modelsDir });
    expect(again.resolve('STORIES260K')?.id).toBe('stories260k');
    expect(again.resolve('stories260K.gguf')?.id).toBe('stories260k');
    expect(again.list()).toEqual([expect.objectContaining({ id: 'stories260k', architecture: 'llama', diskBytes: STORIES_SIZE, linked: false })]);
    expect(again.totalDiskBytes()).toBe(STORIES_SIZE);
    expect(again.modelPath('stories260k')).toBe(m.files[0]!.path);
  });

  it('links a file in place with --link: nothing copied, no disk used, the original survives removal', async () => {
    const original = join(tmp.path, 'Stories.gguf');
    copyFileSync(STORIES_MODEL, original);
    const m = await lib.import(original, { link: true, id: 'tiny' });
    expect(m.files[0]!.path).toBe(original);
    expect(m.files[0]!.sha256).toBe(STORIES_SHA);
    expect(existsSync(join(modelsDir, 'tiny', 'Stories.gguf'))).toBe(false);
    expect(lib.summary(m)).toMatchObject({ diskBytes: 0, linked: true });
    await lib.remove('tiny');
    expect(existsSync(original)).toBe(true);
    expect(existsSync(join(modelsDir, 'tiny'))).toBe(false);
    expect(lib.list()).toEqual([]);
  });

  it('refuses to remove a model while it is loaded, naming the reason', async () => {
    await lib.import(STORIES_MODEL);
    loaded.add('stories260k');
    const err = await failure(lib.remove('stories260K'));
    expect(err.modelCode).toBe('model_loaded');
    expect(err.status).toBe(409);
    expect(err.message).toMatch(/is loaded: an engine is serving it/);
    expect(lib.get('stories260k')).toBeDefined();
    loaded.clear();
    await lib.remove('stories260k');
    expect(lib.get('stories260k')).toBeUndefined();
  });

  it('verify re-hashes the files and reports a damaged one', async () => {
    const m = await lib.import(STORIES_MODEL);
    expect((await lib.verify(m.id)).ok).toBe(true);
    const bytes = readFileSync(m.files[0]!.path);
    bytes[5000]! ^= 0xff;
    writeFileSync(m.files[0]!.path, bytes);
    const r = await lib.verify(m.id);
    expect(r.ok).toBe(false);
    expect(r.files[0]).toMatchObject({ expected: STORIES_SHA, ok: false, error: expect.stringMatching(/sha256 differs/) });
  });

  it('imports a split model (…-00001-of-00003.gguf) as one model with every shard', async () => {
    const { kv, tensors } = llamaModel({ name: 'Split', blocks: 6, embd: 256, ffn: 512, heads: 4, headsKv: 2, vocab: 512, context: 4096, fileType: 7, weightType: GGML.Q8_0 });
    const perShard = Math.ceil(tensors.length / 3);
    for (let i = 0; i < 3; i++) {
      const split = { 'split.no': { type: 'uint16' as const, value: i }, 'split.count': { type: 'uint16' as const, value: 3 } };
      writeGguf(join(tmp.path, `Big-Q8_0-0000${i + 1}-of-00003.gguf`), i === 0 ? { ...kv, ...split } : split, tensors.slice(i * perShard, (i + 1) * perShard));
    }
    const m = await lib.import(join(tmp.path, 'Big-Q8_0-00002-of-00003.gguf'));
    expect(m.id).toBe('big-q8_0');
    expect(m.files.map((f) => f.name)).toEqual(['Big-Q8_0-00001-of-00003.gguf', 'Big-Q8_0-00002-of-00003.gguf', 'Big-Q8_0-00003-of-00003.gguf']);
    expect(m.facts).toMatchObject({ architecture: 'llama', blockCount: 6, quant: 'Q8_0', contextLength: 4096 });
    expect(m.facts.layers).toHaveLength(6);
    expect(m.facts.otherTensors.map((t) => t.name)).toEqual(['token_embd.weight', 'output_norm.weight', 'output.weight']);
    expect(m.facts.sizeBytes).toBe(m.files.reduce((s, f) => s + f.sizeBytes, 0));
    expect(lib.modelPath('big-q8_0')).toBe(join(modelsDir, 'big-q8_0', 'Big-Q8_0-00001-of-00003.gguf'));
  });

  it('shows the licence the GGUF metadata states (general.license), and none for a file that states none', async () => {
    const { kv, tensors } = llamaModel({ name: 'Licensed', blocks: 2, embd: 64, ffn: 128, heads: 4, headsKv: 2, vocab: 64, context: 512, fileType: 7, weightType: GGML.Q8_0 });
    const license = { 'general.license': { type: 'string' as const, value: 'apache-2.0' }, 'general.license.link': { type: 'string' as const, value: 'https://example.org/LICENSE' } };
    writeGguf(join(tmp.path, 'Licensed-Q8_0.gguf'), { ...kv, ...license }, tensors);
    const m = await lib.import(join(tmp.path, 'Licensed-Q8_0.gguf'));
    await lib.import(STORIES_MODEL);
    // Read back through a fresh library: the licence is kept in the manifest.
    const listed = new ModelLibrary({ modelsDir }).list();
    expect(listed.find((s) => s.id === m.id)?.license).toEqual({ id: 'apache-2.0', link: 'https://example.org/LICENSE', from: 'gguf' });
    expect(listed.find((s) => s.id === 'stories260k')?.license).toBeNull();
  });

  it('refuses a split model with a missing shard, naming it', async () => {
    copyFileSync(STORIES_MODEL, join(tmp.path, 'm-00001-of-00002.gguf'));
    const err = await failure(lib.import(join(tmp.path, 'm-00001-of-00002.gguf')));
    expect(err.modelCode).toBe('missing_shard');
    expect(err.message).toContain('m-00002-of-00002.gguf');
  });

  it('refuses a file that is not GGUF', async () => {
    const path = join(tmp.path, 'notes.gguf');
    writeFileSync(path, 'PK\x03\x04 this is a zip, not a model');
    const err = await failure(lib.import(path));
    expect(err.modelCode).toBe('not_gguf');
    expect(err.message).toBe("notes.gguf is not a GGUF model file (it does not start with the bytes 'GGUF')");
    expect(readdirNames(modelsDir)).toEqual([]);
  });

  it('refuses a truncated GGUF, cut in the header or in the tensor data', async () => {
    for (const cut of [6, 200, STORIES_SIZE - 4096]) {
      const path = join(tmp.path, `cut-${cut}.gguf`);
      writeFileSync(path, readFileSync(STORIES_MODEL).subarray(0, cut));
      const err = await failure(lib.import(path));
      expect(err.modelCode, `cut at ${cut}`).toMatch(/truncated_gguf|invalid_gguf/);
      expect(err.message).toMatch(/truncated|unreadable GGUF header/);
    }
    const data = join(tmp.path, 'cut-data.gguf');
    writeFileSync(data, readFileSync(STORIES_MODEL).subarray(0, STORIES_SIZE - 4096));
    expect((await failure(lib.import(data))).message).toMatch(/cut-data.gguf is truncated: its tensors need \d+ bytes but the file has \d+/);
    expect(readdirNames(modelsDir)).toEqual([]);
  });

  it('refuses an unsupported GGUF version', async () => {
    const path = join(tmp.path, 'v9.gguf');
    writeGguf(path, { 'general.architecture': { type: 'string', value: 'llama' } }, [], { version: 9 });
    const err = await failure(lib.import(path));
    expect(err.modelCode).toBe('unsupported_gguf_version');
    expect(err.message).toMatch(/version 9/);
  });

  it('rejects unsafe ids: traversal, absolute paths, NUL, Windows device names', async () => {
    const cases: [string, RegExp][] = [
      ['../evil', /path separator/],
      ['..', /'\.' or '\.\.'/],
      ['/etc/passwd', /path separator/],
      ['C:evil', /Windows drive/],
      ['a\0b', /NUL/],
      ['con', /reserved device name/],
      ['COM1.models', /reserved device name/],
      ['Upper', /only lowercase/],
    ];
    for (const [id, why] of cases) {
      const err = await failure(lib.import(STORIES_MODEL, { id }));
      expect(err.modelCode, id).toBe('invalid_model_id');
      expect(err.message, id).toMatch(why);
    }
    expect(readdirNames(modelsDir)).toEqual([]);
  });

  it("sees models another process added or removed, and clears only dead processes' staging", async () => {
    const cli = new ModelLibrary({ modelsDir }); // what `llama-orch models import` does beside a running app
    await cli.import(STORIES_MODEL, { id: 'from-cli' });
    expect(lib.resolve('from-cli')?.id).toBe('from-cli');
    await cli.remove('from-cli');
    expect(lib.list()).toEqual([]);
    mkdirSync(join(modelsDir, '.staging-x-p999999999-abcd'));
    mkdirSync(join(modelsDir, `.staging-y-p${process.pid}-abcd`));
    writeFileSync(join(modelsDir, 'junk-manifest'), 'x');
    mkdirSync(join(modelsDir, 'broken'));
    writeFileSync(join(modelsDir, 'broken', 'manifest.json'), '{"schemaVersion":1,"id":"broken","files":[{"name":"../../x"}],"facts":{},"source":{"kind":"hub"}}');
    const fresh = new ModelLibrary({ modelsDir });
    expect(readdirNames(modelsDir).sort()).toEqual([`.staging-y-p${process.pid}-abcd`, 'broken', 'junk-manifest']);
    expect(fresh.list()).toEqual([]);
    expect(fresh.problems).toEqual([expect.stringMatching(/broken.manifest\.json: invalid file name '\.\.\/\.\.\/x'/)]);
  });

  it('checks free space before copying, and a link needs none', async () => {
    const tight = new ModelLibrary({ modelsDir, freeSpace: async () => 4096 });
    const err = await failure(tight.import(STORIES_MODEL));
    expect(err.modelCode).toBe('insufficient_space');
    expect(err.status).toBe(507);
    expect(err.message).toMatch(/not enough disk space for a copy of stories260K.gguf \(or import it with --link\): needs 1\.1 MiB/);
    expect((await tight.import(STORIES_MODEL, { link: true })).id).toBe('stories260k');
  });

  it('refuses a second model with the same id', async () => {
    await lib.import(STORIES_MODEL);
    const err = await failure(lib.import(STORIES_MODEL));
    expect(err.modelCode).toBe('model_exists');
    expect(err.message).toContain(`imported from ${STORIES_MODEL}`);
  });

  it('imports a folder holding a model and its vision projector: both copied, hashed and verified, the pairing kept across a reload', async () => {
    const src = join(tmp.path, 'vision');
    mkdirSync(src);
    copyFileSync(STORIES_MODEL, join(src, 'stories260K.gguf'));
    writeFileSync(join(src, 'mmproj-stories260K-f16.gguf'), 'GGUF projector bytes');
    const m = await lib.import(src);
    expect(m.id).toBe('stories260k');
    expect(m.mmproj).toMatchObject({
      name: 'mmproj-stories260K-f16.gguf',
      path: join(modelsDir, 'stories260k', 'mmproj-stories260K-f16.gguf'),
      sizeBytes: 20,
      sha256: createHash('sha256').update('GGUF projector bytes').digest('hex'),
    });
    expect(readdirSync(join(modelsDir, 'stories260k')).sort()).toEqual(['manifest.json', 'mmproj-stories260K-f16.gguf', 'stories260K.gguf']);
    expect(new ModelLibrary({ modelsDir }).resolve('stories260k')?.mmproj?.name).toBe('mmproj-stories260K-f16.gguf');
    expect(lib.list()[0]).toMatchObject({ mmproj: 'mmproj-stories260K-f16.gguf', diskBytes: STORIES_SIZE + 20 });
    expect((await lib.verify('stories260k')).files.map((f) => [f.name, f.ok])).toEqual([
      ['stories260K.gguf', true],
      ['mmproj-stories260K-f16.gguf', true],
    ]);
    writeFileSync(m.mmproj!.path, 'damaged');
    expect((await lib.verify('stories260k')).ok).toBe(false);
  });

  it('links a projector in place with the model, skips it with noProjector, and refuses a projector given as the model', async () => {
    const src = join(tmp.path, 'vision');
    mkdirSync(src);
    copyFileSync(STORIES_MODEL, join(src, 'stories260K.gguf'));
    writeFileSync(join(src, 'mmproj-F16.gguf'), 'GGUF projector bytes');
    const linked = await lib.import(join(src, 'stories260K.gguf'), { link: true });
    expect(linked.mmproj?.path).toBe(join(src, 'mmproj-F16.gguf'));
    const plain = await lib.import(join(src, 'stories260K.gguf'), { id: 'text-only', noProjector: true });
    expect(plain.mmproj).toBeUndefined();
    const err = await failure(lib.import(join(src, 'mmproj-F16.gguf'), { id: 'x' }));
    expect(err.message).toMatch(/mmproj-F16.gguf is a vision projector \(mmproj\), not a model/);
  });
});

function readdirNames(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}
