// The steps of an installation: get each archive (download with resume and sha256 while
// streaming, or a local file verified by its hash), unpack into a staging folder, self-test, write
// the manifest, and only then rename the folder into place — so a failure leaves nothing installed.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineDeviceLine, EngineManifest } from '../../contract/index.js';
import { renameWithRetry } from '../util/fs-retry.js';
import { clearQuarantine } from '../util/platform.js';
import { download, DownloadError, sha256File, type DownloadProgress } from '../download/download.js';
import { extractArchive, findEngineBinary, unwrapSingleFolder } from './archive.js';
import { detectEngineLicense } from './license.js';
import { binaryRelative, writeManifest } from './manifest.js';
import { parseAssetName, type ReleaseAsset } from './release.js';
import { selfTest } from './self-test.js';

export type EngineErrorCode =
  'invalid_request' | 'not_found' | 'in_use' | 'release' | 'no_digest' | 'checksum_mismatch' | 'download' | 'extract' | 'self_test' | 'exists' | 'unchecked' | 'check_failed' | 'no_previous';

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

export interface LocalArchive {
  path: string;
  name: string;
  sha256: string;
  bytes: number;
  /** Where it came from: the release asset's URL, or the imported file's path (provenance). */
  url: string;
  /** Delete after installing (a finished download); false for a user's file. */
  owned: boolean;
}

/** Download (or read, for file: URLs) one release asset, verified against its digest. */
export async function obtainAsset(
  asset: ReleaseAsset,
  downloadsDir: string,
  opts: { signal?: AbortSignal; onProgress?: (p: DownloadProgress) => void; sha256Override?: string | null },
): Promise<LocalArchive> {
  const expected = opts.sha256Override?.toLowerCase() ?? asset.sha256;
  if (!expected) {
    throw new EngineError(
      'no_digest',
      `the release metadata gives no sha256 digest for ${asset.name}, so it cannot be verified; use a source that publishes digests, or download it yourself and run \`llama-orch engines import <archive> --sha256 <hex>\``,
    );
  }
  if (asset.url.startsWith('file:')) {
    const path = fileURLToPath(asset.url);
    return { ...(await verifyLocal(path, expected)), name: asset.name, url: asset.url, owned: false };
  }
  const partPath = join(downloadsDir, `${basename(asset.name)}.part`);
  try {
    const r = await download({
      url: asset.url,
      partPath,
      expectedSha256: expected,
      expectedBytes: asset.size || null,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    return { path: r.path, name: asset.name, sha256: r.sha256, bytes: r.bytes, url: asset.url, owned: true };
  } catch (err) {
    if (err instanceof DownloadError) throw new EngineError(err.code === 'checksum_mismatch' ? 'checksum_mismatch' : 'download', `${err.message}; nothing was installed`);
    throw err;
  }
}

/** Hash a local archive and compare it with `expected` (when given). */
export async function verifyLocal(path: string, expected: string | null): Promise<{ path: string; sha256: string; bytes: number }> {
  if (!existsSync(path)) throw new EngineError('not_found', `archive not found: ${path}`);
  const { size } = statSync(path);
  const sha256 = await sha256File(path);
  if (expected && sha256 !== expected.toLowerCase()) {
    throw new EngineError('checksum_mismatch', `checksum mismatch for ${path}: expected sha256 ${expected.toLowerCase()}, got ${sha256}; nothing was installed`);
  }
  return { path, sha256, bytes: size };
}

export interface StageInput {
  enginesDir: string;
  id: string;
  archives: LocalArchive[];
  manifest: Omit<EngineManifest, 'binary' | 'installedAt' | 'selfTest' | 'source' | 'license'> & { source: Omit<EngineManifest['source'], 'archives'> };
}

/** Unpack, self-test and move into `<engines>/<id>/`. Returns the installed binary's path. */
export async function stageAndCommit(input: StageInput): Promise<string> {
  const { enginesDir, id, archives } = input;
  const target = join(enginesDir, id);
  if (existsSync(target)) throw new EngineError('exists', `engine '${id}' is already installed at ${target}; remove it first with \`llama-orch engines remove ${id}\``);
  const stage = join(enginesDir, `.staging-${id}-${randomBytes(4).toString('hex')}`);
  mkdirSync(stage, { recursive: true });
  try {
    const [main, ...extras] = archives;
    if (!main) throw new EngineError('invalid_request', 'no archive to install');
    await extract(main, stage);
    const root = unwrapSingleFolder(stage);
    const binary = findEngineBinary(root);
    if (!binary) throw new EngineError('extract', `${main.name} contains no llama-server binary; is it a llama.cpp release archive?`);
    for (const extra of extras) await extract(extra, dirname(binary)); // e.g. the CUDA runtime DLLs beside the binary
    await clearQuarantine(stage); // macOS: a downloaded archive's quarantine flag would stop the binary and its dylibs
    const test = await selfTest(binary);
    if (!test.ok && !test.version) throw new EngineError('self_test', `the unpacked engine does not run on this machine: ${test.error}; nothing was installed`);
    const missing = missingDevice(input.manifest.backend, test.devices);
    if (missing) throw new EngineError('self_test', `${missing}; nothing was installed`);
    const manifest: EngineManifest = {
      ...input.manifest,
      source: { ...input.manifest.source, archives: archives.map((a) => ({ name: a.name, sha256: a.sha256, bytes: a.bytes, url: a.url })) },
      license: detectEngineLicense(root, dirname(binary), parseAssetName(main.name) !== null),
      binary: binaryRelative(root, binary),
      installedAt: new Date().toISOString(),
      selfTest: test,
    };
    writeManifest(root, manifest);
    if (existsSync(target)) throw new EngineError('exists', `engine '${id}' was installed meanwhile at ${target}`);
    // Atomic on one filesystem: the engine appears complete or not at all. Retried while a virus
    // scanner still holds the freshly unpacked files (EPERM/EBUSY on Windows).
    await renameWithRetry(root, target);
    return join(target, manifest.binary);
  } finally {
    rmSync(stage, { recursive: true, force: true });
    for (const a of archives) if (a.owned) await rm(a.path, { force: true });
  }
}

async function extract(archive: LocalArchive, dest: string): Promise<void> {
  try {
    await extractArchive(archive.path, dest, archive.name);
  } catch (err) {
    throw new EngineError('extract', `${(err as Error).message}; nothing was installed`);
  }
}

/** How each GPU backend names its devices in `llama-server --list-devices`. */
const BACKEND_DEVICE: Partial<Record<NonNullable<EngineManifest['backend']>, { label: string; id: RegExp }>> = {
  cuda: { label: 'CUDA', id: /^CUDA\d+$/ },
  rocm: { label: 'ROCm/HIP', id: /^(ROCm|HIP)\d+$/ },
  vulkan: { label: 'Vulkan', id: /^Vulkan\d+$/ },
  metal: { label: 'Metal', id: /^(Metal|MTL)\d*$/ },
  sycl: { label: 'SYCL', id: /^SYCL\d+$/ },
};

/**
 * A GPU build that lists none of its devices would be recorded as that backend and run on the CPU
 * (a CUDA build without its cudart DLLs does exactly this and exits 0): why, or null when fine.
 */
export function missingDevice(backend: EngineManifest['backend'], devices: EngineDeviceLine[]): string | null {
  const want = backend ? BACKEND_DEVICE[backend] : undefined;
  if (!want || devices.some((d) => want.id.test(d.id))) return null;
  const listed = devices.map((d) => d.id).join(', ') || 'no device';
  const hint =
    backend === 'cuda' ? ': its CUDA runtime (the cudart archive of the same release) may be missing, or the NVIDIA driver is not installed' : ': its driver or runtime may be missing on this machine';
  return `the ${want.label} build lists ${listed} in \`llama-server --list-devices\`, no ${want.label} device${hint}`;
}
