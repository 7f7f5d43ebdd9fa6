// A local stand-in for the Hugging Face Hub (or a company mirror), on a real HTTP server on 127.0.0.1:
// exactly the endpoints @huggingface/hub calls for model info (`/api/models/<repo>/revision/<rev>`),
// file listing (`/api/models/<repo>/tree/<rev>`) and search (`/api/models?search=…`), plus
// `/<repo>/resolve/<rev>/<path>` served by the fault-injecting file server (Range, cut, corrupt).
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startFileServer, type FileServer } from './file-server.js';

export interface FakeHubFile {
  /** Path inside the repo, e.g. `model-Q4_K_M.gguf` or `sub/model.gguf`. */
  path: string;
  /** Local file served for it. */
  file?: string;
  body?: Buffer;
  /** Stored in LFS (has an sha256 oid; default true). */
  lfs?: boolean;
  /** Override the advertised sha256 (to play a hub whose oid does not match the bytes). */
  sha256?: string;
  /** Serve this file slowly (a throttled route with Range support; ignores the file server's faults). */
  bytesPerSecond?: number;
}

export interface FakeRepo {
  repo: string;
  files: FakeHubFile[];
  /** Commit id `main` resolves to (default: a fixed fake sha). */
  sha?: string;
  /** Gated: the API answers 401 unless this bearer token is sent. */
  token?: string;
  downloads?: number;
  likes?: number;
  /** `license` in the model card's front matter (served as `cardData`). */
  cardLicense?: string | string[];
}

export interface FakeHub {
  url: string;
  server: FileServer;
  addRepo(repo: FakeRepo): Promise<void>;
  /** API requests seen (path + whether an Authorization header came). */
  apiLog: { path: string; auth: string | null }[];
  close(): Promise<void>;
}

const DEFAULT_SHA = 'a'.repeat(40);

export async function startFakeHub(repos: FakeRepo[] = []): Promise<FakeHub> {
  const server = await startFileServer();
  const apiLog: FakeHub['apiLog'] = [];
  const all: FakeRepo[] = [];
  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
  const guard = (r: FakeRepo, fn: (req: IncomingMessage, res: ServerResponse) => void) => (req: IncomingMessage, res: ServerResponse) => {
    apiLog.push({ path: req.url ?? '', auth: req.headers.authorization ?? null });
    if (r.token && req.headers.authorization !== `Bearer ${r.token}`) {
      return json(res, 401, { error: 'Access to model ' + r.repo + ' is restricted. You must have access to it and be authenticated to access it. Please log in.' }, { 'x-error-code': 'GatedRepo' });
    }
    fn(req, res);
  };

  async function addRepo(r: FakeRepo): Promise<void> {
    all.push(r);
    const sha = r.sha ?? DEFAULT_SHA;
    const entries: Record<string, unknown>[] = [];
    for (const f of r.files) {
      const size = f.file ? statSync(f.file).size : (f.body?.length ?? 0);
      const oid = f.sha256 ?? (await sha256Of(f));
      const lfs = f.lfs ?? true;
      entries.push({ type: 'file', oid: createHash('sha1').update(f.path).digest('hex'), size: lfs ? 134 : size, path: f.path, ...(lfs ? { lfs: { oid, size, pointerSize: 134 } } : {}) });
      const route = f.bytesPerSecond ? throttled(f, f.bytesPerSecond) : f.file ? { file: f.file } : { body: f.body ?? Buffer.alloc(0) };
      for (const rev of new Set([sha, 'main'])) server.routes.set(`/${r.repo}/resolve/${rev}/${f.path.split('/').map(encodeURIComponent).join('/')}`, route);
    }
    const info = {
      _id: createHash('sha1').update(r.repo).digest('hex').slice(0, 24),
      id: r.repo,
      sha,
      private: false,
      gated: r.token ? 'manual' : false,
      downloads: r.downloads ?? 0,
      likes: r.likes ?? 0,
      lastModified: '2026-01-02T03:04:05.000Z',
      pipeline_tag: 'text-generation',
      siblings: r.files.map((f) => ({ rfilename: f.path })),
      ...(r.cardLicense ? { cardData: { license: r.cardLicense } } : {}),
    };
    for (const rev of new Set([sha, 'main', 'HEAD'])) {
      server.routes.set(
        `/api/models/${r.repo}/revision/${rev}`,
        guard(r, (_req, res) => json(res, 200, info)),
      );
      server.routes.set(
        `/api/models/${r.repo}/tree/${rev}`,
        guard(r, (_req, res) => json(res, 200, entries)),
      );
    }
  }

  server.routes.set('/api/models', (req, res) => {
    apiLog.push({ path: req.url ?? '', auth: req.headers.authorization ?? null });
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const search = (q.get('search') ?? '').toLowerCase();
    const filters = q.getAll('filter');
    const limit = Number(q.get('limit') ?? 500);
    const hits = all
      .filter((r) => r.repo.toLowerCase().includes(search) && (!filters.includes('gguf') || r.files.some((f) => f.path.endsWith('.gguf'))))
      .slice(0, limit)
      .map((r) => ({
        _id: r.repo,
        id: r.repo,
        private: false,
        gated: r.token ? 'manual' : false,
        downloads: r.downloads ?? 0,
        likes: r.likes ?? 0,
        lastModified: '2026-01-02T03:04:05.000Z',
        siblings: r.files.map((f) => ({ rfilename: f.path })),
      }));
    json(res, 200, hits);
  });

  for (const r of repos) await addRepo(r);
  return { url: server.url, server, addRepo, apiLog, close: () => server.close() };
}

function sha256Of(f: FakeHubFile): Promise<string> {
  const hash = createHash('sha256');
  if (!f.file) return Promise.resolve(hash.update(f.body ?? Buffer.alloc(0)).digest('hex'));
  return new Promise((resolve, reject) => {
    createReadStream(f.file!, { highWaterMark: 1 << 20 })
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}

/** A route that sends `rate` bytes per second in 16 KiB steps, honouring `Range: bytes=N-`. */
function throttled(f: FakeHubFile, rate: number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const data = f.file ? readFileSync(f.file) : (f.body ?? Buffer.alloc(0));
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const headers = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'content-length': data.length - start };
    res.writeHead(m ? 206 : 200, m ? { ...headers, 'content-range': `bytes ${start}-${data.length - 1}/${data.length}` } : headers);
    const step = 16 * 1024;
    let pos = start;
    const timer = setInterval(
      () => {
        if (res.destroyed) return clearInterval(timer);
        res.write(data.subarray(pos, pos + step));
        pos += step;
        if (pos >= data.length) {
          clearInterval(timer);
          res.end();
        }
      },
      (step / rate) * 1000,
    );
    res.on('close', () => clearInterval(timer));
  };
}
