// POST /api/v1/engines/import?name=<archive file name>[&sha256=<hex>]: an engine archive uploaded by the
// UI (file picker, drag and drop) as the raw request body. It is streamed to a temp file under the
// downloads folder (never buffered in memory, refused past a size limit), then imported like
// `llama-orch engines import`: verified, unpacked, self-tested; the temp file goes either way.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { EngineInfo } from '../../contract/index.js';
import { HttpError } from '../util/errors.js';
import { archiveKind } from './release.js';
import type { EngineService } from './service.js';

/** Release archives are up to a few hundred MiB (CUDA builds with their runtime); 4 GiB leaves room. */
export const ENGINE_UPLOAD_LIMIT = 4 * 1024 ** 3;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;

function badParam(param: string, message: string): HttpError {
  return new HttpError(400, message, 'invalid_request_error', 'invalid_request', param);
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, `the engine archive is larger than the limit of ${limit} bytes`, 'invalid_request_error', 'body_too_large', 'body');
}

/** Counts bytes through and fails the stream past `limit`. */
function limiter(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      done(seen > limit ? tooLarge(limit) : null, chunk);
    },
  });
}

export async function importUpload(req: IncomingMessage, url: URL, engines: EngineService, uploadsDir: string, limit = ENGINE_UPLOAD_LIMIT): Promise<EngineInfo> {
  const name = url.searchParams.get('name') ?? '';
  if (!NAME.test(name) || !archiveKind(name)) throw badParam('name', `name must be the archive's file name ending in .zip or .tar.gz (e.g. llama-b6550-bin-ubuntu-x64.zip), got '${name}'`);
  const sha256 = url.searchParams.get('sha256');
  if (sha256 !== null && !/^[0-9a-f]{64}$/i.test(sha256)) throw badParam('sha256', 'sha256 must be 64 hex characters');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  // The archive keeps its own name (it names the release and variant); a fresh folder keeps uploads apart.
  const dir = join(uploadsDir, randomUUID());
  await mkdir(dir, { recursive: true });
  try {
    const file = join(dir, name);
    await pipeline(req, limiter(limit), createWriteStream(file));
    return await engines.importArchive(file, { sha256, origin: `upload:${name}` });
  } catch (err) {
    if (!req.complete) req.resume();
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
