// llama.cpp release metadata in the GitHub releases-API shape, read from GitHub, a company mirror
// or a local folder (air-gapped sites), and the parsing of release asset names into variants.
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { EngineVariantInfo } from '../../contract/index.js';

export const DEFAULT_RELEASE_SOURCE = 'https://api.github.com/repos/ggml-org/llama.cpp';

/**
 * The tag installed when none is named. b11195 (2026-09-26) publishes `ubuntu-x64`,
 * `ubuntu-vulkan-x64`, `win-cpu-x64`, `win-vulkan-x64`, `win-cuda-*-x64` (+ cudart), `macos-arm64`
 * and `macos-x64`, each with a GitHub `digest`. Bump deliberately, after running the engine tests.
 */
export const DEFAULT_ENGINE_TAG = 'b11195';

const assetSchema = z.object({
  name: z.string().min(1),
  size: z.number().int().nonnegative(),
  digest: z.string().nullish(),
  browser_download_url: z.string().min(1),
});

const releaseSchema = z.object({
  tag_name: z.string().min(1),
  name: z.string().nullish(),
  published_at: z.string().nullish(),
  target_commitish: z.string().nullish(),
  assets: z.array(assetSchema),
});

export interface ReleaseAsset {
  name: string;
  size: number;
  /** Lower-case hex sha256 from `digest: "sha256:…"`, null when the source publishes none. */
  sha256: string | null;
  /** Absolute URL (http(s) or file:) of the asset. */
  url: string;
}

export interface Release {
  tag: string;
  /** Where the metadata was read (for messages and the manifest). */
  source: string;
  /** `published_at` of the release, when the source states it. */
  publishedAt: string | null;
  /** The commit the release was made from (`target_commitish` when it is a full sha; a branch name is no provenance). */
  commit: string | null;
  assets: ReleaseAsset[];
}

export class ReleaseError extends Error {
  /** HTTP status for the API: 400 bad tag/variant, 404 no such release, 502 source unreachable or malformed. */
  constructor(
    message: string,
    readonly status: 400 | 404 | 502 = 502,
  ) {
    super(message);
    this.name = 'ReleaseError';
  }
}

/** Tags are `b1234`-like names; refusing anything else keeps them out of URLs and folder names. */
export function checkTag(tag: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(tag)) throw new ReleaseError(`invalid release tag '${tag}' (expected something like ${DEFAULT_ENGINE_TAG})`, 400);
  return tag;
}

/** `<base>/releases/tags/<tag>`; a `file:` base is a folder of the same shape (`….json` also accepted). */
export async function fetchRelease(base: string, tag: string, signal?: AbortSignal): Promise<Release> {
  checkTag(tag);
  const root = base.replace(/\/+$/, '');
  const url = `${root}/releases/tags/${encodeURIComponent(tag)}`;
  const { text, location } = root.startsWith('file:') ? await readLocal(url) : await readRemote(url, signal);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ReleaseError(`release metadata at ${location} is not JSON: ${(err as Error).message}`);
  }
  return parseRelease(json, location);
}

async function readRemote(url: string, signal?: AbortSignal): Promise<{ text: string; location: string }> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/vnd.github+json', 'user-agent': 'llama-orch' }, signal: signal ?? AbortSignal.timeout(30_000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    throw new ReleaseError(
      `cannot reach the release source ${url} (${cause}); on a machine without internet, import an archive with \`llama-orch engines import <archive>\` or point --source at a mirror`,
    );
  }
  const text = await res.text();
  if (res.status === 404) throw new ReleaseError(`release not found at ${url} (HTTP 404): check the tag name`, 404);
  if (!res.ok) throw new ReleaseError(`release source ${url} answered HTTP ${res.status}${res.status === 403 ? ' (GitHub rate limit? use a mirror or an offline import)' : ''}`);
  return { text, location: url };
}

async function readLocal(url: string): Promise<{ text: string; location: string }> {
  for (const candidate of [`${url}.json`, url]) {
    try {
      return { text: await readFile(fileURLToPath(candidate), 'utf8'), location: candidate };
    } catch {
      // try the next spelling
    }
  }
  throw new ReleaseError(`release metadata not found: neither ${fileURLToPath(url)}.json nor ${fileURLToPath(url)} exists`, 404);
}

/** Validate a releases-API object; asset URLs are resolved against the metadata's own location. */
export function parseRelease(json: unknown, location: string): Release {
  const parsed = releaseSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ReleaseError(`release metadata at ${location} is not in the GitHub releases shape: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  const base = location.startsWith('file:') || /^https?:/.test(location) ? location : pathToFileURL(location).href;
  return {
    tag: parsed.data.tag_name,
    source: location,
    publishedAt: parsed.data.published_at ?? null,
    commit: /^[0-9a-f]{40}$/i.test(parsed.data.target_commitish ?? '') ? parsed.data.target_commitish!.toLowerCase() : null,
    assets: parsed.data.assets.map((a) => ({ name: a.name, size: a.size, sha256: parseDigest(a.digest), url: new URL(a.browser_download_url, base).href })),
  };
}

/** `sha256:<64 hex>` → hex; other algorithms or malformed digests → null (treated as missing). */
export function parseDigest(digest: string | null | undefined): string | null {
  const m = /^sha256:([0-9a-f]{64})$/i.exec(digest?.trim() ?? '');
  return m ? m[1]!.toLowerCase() : null;
}

const OS: Record<string, string> = { ubuntu: 'linux', linux: 'linux', win: 'win32', macos: 'darwin' };
const ARCHIVE_EXT = /\.(tar\.gz|tgz|zip)$/i;

/** `llama-b6550-bin-ubuntu-vulkan-x64.tar.gz` → its variant; null for other assets (cudart, xcframework, …). */
export function parseAssetName(name: string): (EngineVariantInfo & { tag: string }) | null {
  const m = /^llama-([^-]+)-bin-(.+)$/.exec(name.replace(ARCHIVE_EXT, ''));
  if (!m || !ARCHIVE_EXT.test(name)) return null;
  const variant = m[2]!;
  const parts = variant.split('-');
  const platform = OS[parts[0] ?? ''];
  const arch = parts.at(-1);
  if (!platform || (arch !== 'x64' && arch !== 'arm64')) return null;
  const middle = parts.slice(1, -1);
  const cuda = /(?:^|-)cuda-(\d+(?:\.\d+)*)(?:-|$)/.exec(variant);
  let backend: EngineVariantInfo['backend'] = 'other';
  if (cuda) backend = 'cuda';
  else if (middle.includes('vulkan')) backend = 'vulkan';
  else if (middle.includes('hip') || middle.includes('rocm')) backend = 'rocm';
  else if (middle.includes('sycl')) backend = 'sycl';
  else if (middle.length === 0 || (middle.length === 1 && middle[0] === 'cpu')) backend = platform === 'darwin' && arch === 'arm64' ? 'metal' : 'cpu';
  return { tag: m[1]!, variant, platform, arch, backend, cudaVersion: cuda ? cuda[1]! : null };
}

/** The CUDA runtime archive that goes with a CUDA build (`cudart-llama-bin-win-cuda-12.4-x64.zip`). */
export function cudartAssetFor(variant: string, assets: ReleaseAsset[]): ReleaseAsset | null {
  return assets.find((a) => a.name.startsWith('cudart-') && ARCHIVE_EXT.test(a.name) && a.name.replace(ARCHIVE_EXT, '').endsWith(`-${variant}`)) ?? null;
}

export function archiveKind(name: string): 'tar.gz' | 'zip' | null {
  if (/\.(tar\.gz|tgz)$/i.test(name)) return 'tar.gz';
  if (/\.zip$/i.test(name)) return 'zip';
  return null;
}
