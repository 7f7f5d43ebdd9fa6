// POST /api/v1/engines/import: an engine archive uploaded as the request body (what Settings → Engines
// sends from its file picker or a drop) is streamed to a temp file, verified, unpacked, self-tested and
// listed; a bad name, a wrong digest, a broken archive and an oversized body are refused with the
// OpenAI error envelope naming the field, and leave neither an engine nor a temp file behind.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE_ROUTES, type ApiErrorEnvelope, type EngineInfo, type EngineListResponse } from '../../electron/contract/index.js';
import { Core } from '../../electron/core/core.js';
import { testEnginePath } from '../helpers/engine.js';
import { tempDir } from '../helpers/tmp.js';

const TAG = 'b9003';
const NAME = `llama-${TAG}-bin-ubuntu-${process.arch}.tar.gz`;
const canRun = process.platform === 'linux' && process.arch === 'x64';
if (!canRun) console.warn('engines-upload: skipped, the test engine archive is built for linux-x64 only');

describe.skipIf(!canRun)('engine archive upload', () => {
  const data = tempDir();
  const work = tempDir();
  let core: Core;
  let url: string;
  let archive: Buffer;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const root = join(work.path, 'src', `llama-${TAG}`);
    mkdirSync(root, { recursive: true });
    copyFileSync(testEnginePath(), join(root, 'llama-server'));
    execFileSync('tar', ['-czf', join(work.path, NAME), '-C', join(work.path, 'src'), `llama-${TAG}`]);
    archive = readFileSync(join(work.path, NAME));
    core = new Core({ dataDir: data.path, host: '127.0.0.1', port: 0 });
    url = await core.listen();
    auth = { authorization: `Bearer ${core.auth.adminToken}` };
  });
  afterAll(async () => {
    await core?.stop();
    data.cleanup();
    work.cleanup();
  });

  const upload = (query: string, body: Buffer) =>
    fetch(`${url}${ENGINE_ROUTES.import}?${query}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/octet-stream' }, body: new Uint8Array(body) });
  const engines = async () => ((await (await fetch(`${url}${ENGINE_ROUTES.engines}`, { headers: auth })).json()) as EngineListResponse).data.map((e) => e.id);
  const uploadsLeft = () => (existsSync(join(data.path, 'downloads', 'uploads')) ? readdirSync(join(data.path, 'downloads', 'uploads')) : []);
  async function refused(res: Response, status: number, param: string | null, message: RegExp): Promise<void> {
    expect(res.status).toBe(status);
    const { error } = (await res.json()) as ApiErrorEnvelope;
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
    expect(await engines()).toEqual([]);
    expect(uploadsLeft()).toEqual([]);
  }

  it('refuses a name that is not an archive, and a malformed sha256, naming the field', async () => {
    await refused(await upload('name=llama-server', archive), 400, 'name', /\.zip or \.tar\.gz/);
    await refused(await upload('name=..%2Fevil.tar.gz', archive), 400, 'name', /file name/);
    await refused(await upload(`name=${NAME}&sha256=abc`, archive), 400, 'sha256', /64 hex/);
  });

  it('refuses an archive whose digest differs from the one given, and a broken archive', async () => {
    await refused(await upload(`name=${NAME}&sha256=${'0'.repeat(64)}`, archive), 422, null, /sha256|digest|checksum/i);
    await refused(await upload(`name=${NAME}`, archive.subarray(0, archive.length >> 1)), 422, null, /.+/);
  });

  it('refuses a body declared larger than the limit before reading it', async () => {
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${url}${ENGINE_ROUTES.import}?name=${NAME}`, { method: 'POST', headers: { ...auth, 'content-length': String(5 * 1024 ** 3) } }, (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(archive.subarray(0, 1024));
    });
    expect(res.status).toBe(413);
    expect((JSON.parse(res.body) as ApiErrorEnvelope).error).toMatchObject({ code: 'body_too_large', param: 'body' });
    expect(await engines()).toEqual([]);
  });

  it('imports an uploaded archive: listed, self-tested, its origin the upload, no temp file left', async () => {
    const res = await upload(`name=${NAME}`, archive);
    expect(res.status).toBe(201);
    const engine = (await res.json()) as EngineInfo;
    expect(engine.id).toBe(`${TAG}-ubuntu-${process.arch}`);
    expect(engine.version).toMatch(/version/);
    expect(await engines()).toEqual([engine.id]);
    expect(engine.source).toMatchObject({ kind: 'import', location: `upload:${NAME}`, archives: [{ name: NAME, url: `upload:${NAME}`, bytes: archive.length }] });
    expect(uploadsLeft()).toEqual([]);
  });
});
