// Talking to Hugging Face (or a mirror that speaks its API) through @huggingface/hub: which commit a
// revision is, which GGUF file(s) a `repo:quant` or `repo:file` names, their sizes and LFS sha256, and
// search for the UI. The endpoint follows the HF_ENDPOINT convention; the token is optional (gated repos).
import { listFiles, listModels, modelInfo, type ListFileEntry } from '@huggingface/hub';
import { parseGGUFQuantLabel } from '@huggingface/gguf';
import type { HubGgufFile, HubSearchHit } from '../../contract/index.js';
import { ModelError } from './errors.js';
import { shardName } from './files.js';
import { safeFileName } from './ids.js';
import { chooseProjector, isProjectorName } from './projector.js';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

export interface HubConfig {
  endpoint: string;
  token: string | null;
  /** Offline mode: every hub call is refused before a connection is opened. */
  offline?: boolean;
}

/** Refuse a hub call in offline mode, saying so instead of trying. */
export function assertOnline(cfg: HubConfig, what: string): void {
  if (cfg.offline)
    throw new ModelError(
      'offline_mode',
      `offline mode is on: ${what} needs the network (${cfg.endpoint}); turn offline mode off in Settings (or start without --offline), or bring the model on an offline kit`,
    );
}

/**
 * The hub to use: a setting changed from the default wins, then HF_ENDPOINT / HF_TOKEN from the
 * environment (the huggingface tools' convention), then huggingface.co without a token.
 */
export function hubConfig(setting: Partial<HubConfig> | null = null, env: NodeJS.ProcessEnv = process.env, offline = false): HubConfig {
  const fromSetting = setting?.endpoint && setting.endpoint.replace(/\/+$/, '') !== DEFAULT_HUB_ENDPOINT ? setting.endpoint : null;
  const endpoint = (fromSetting || env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
  return { endpoint, token: setting?.token || env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || null, ...(offline ? { offline } : {}) };
}

export interface PullSpec {
  repo: string;
  /** A file name (ends in .gguf) or a quant tag; null: choose. */
  selector: string | null;
}

const REPO = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** `owner/repo[:Q4_K_M|:file.gguf]`, checked. */
export function parsePullSpec(spec: string): PullSpec {
  const colon = spec.indexOf(':');
  const repo = colon < 0 ? spec : spec.slice(0, colon);
  const selector = colon < 0 ? null : spec.slice(colon + 1) || null;
  return { repo: checkRepo(repo), selector };
}

export function checkRepo(repo: string): string {
  if (!REPO.test(repo) || repo.includes('..')) {
    throw new ModelError('hub_file_not_found', `'${repo.slice(0, 200)}' is not a Hugging Face repo name; expected owner/name, e.g. bartowski/Llama-3.2-1B-Instruct-GGUF`, 'repo');
  }
  return repo;
}

export interface HubFile {
  /** Path inside the repo (may contain folders). */
  path: string;
  /** The local file name (last path segment, checked). */
  name: string;
  size: number;
  /** LFS oid = sha256 of the content; null for a file stored in git itself. */
  sha256: string | null;
  url: string;
}

export interface ResolvedPull {
  repo: string;
  /** The commit the files were listed at (downloads use it, so a push mid-pull changes nothing). */
  revision: string;
  endpoint: string;
  files: HubFile[];
  /** The vision projector (`mmproj*.gguf`) beside the model in the repo, pulled with it; absent: none. */
  projector?: HubFile | null;
  quant: string | null;
  /** `license` from the model card's front matter, when the repo states one. */
  cardLicense?: string | null;
}

function credentials(cfg: HubConfig): { accessToken: string } | Record<string, never> {
  return cfg.token ? { accessToken: cfg.token } : {};
}

/** Which files `spec` names in the repo, at a pinned commit. */
export async function resolvePull(cfg: HubConfig, spec: PullSpec, revision = 'main'): Promise<ResolvedPull> {
  assertOnline(cfg, `pulling ${spec.repo}`);
  const hubUrl = cfg.endpoint;
  let sha: string;
  let cardLicense: string | null;
  try {
    const info = await modelInfo({ name: spec.repo, revision, hubUrl, additionalFields: ['sha', 'cardData'], ...credentials(cfg) });
    sha = typeof info.sha === 'string' && /^[0-9a-f]{40}$/.test(info.sha) ? info.sha : revision;
    cardLicense = cardLicenseOf(info.cardData);
  } catch (err) {
    throw hubError(err, cfg, `repo ${spec.repo}`);
  }
  const entries: ListFileEntry[] = [];
  try {
    for await (const e of listFiles({ repo: spec.repo, revision: sha, recursive: true, hubUrl, ...credentials(cfg) })) if (e.type === 'file') entries.push(e);
  } catch (err) {
    throw hubError(err, cfg, `files of ${spec.repo}`);
  }
  const ggufs = entries.filter((e) => /\.gguf$/i.test(e.path));
  const chosen = chooseFiles(spec, ggufs);
  const toFile = (e: ListFileEntry): HubFile => {
    const name = safeFileName(e.path.split('/').pop() ?? '', 'file');
    if (e.path.split('/').some((seg) => seg === '..' || seg === '.' || seg === '')) throw new ModelError('hub_error', `the hub listed an unsafe path '${e.path}'`, 'file');
    const url = `${hubUrl}/${spec.repo}/resolve/${encodeURIComponent(sha)}/${e.path.split('/').map(encodeURIComponent).join('/')}`;
    return { path: e.path, name, size: e.lfs?.size ?? e.size, sha256: e.lfs?.oid ?? null, url };
  };
  const files = chosen.map(toFile);
  const mmproj = projectorEntry(chosen[0]!.path, ggufs);
  return { repo: spec.repo, revision: sha, endpoint: hubUrl, files, projector: mmproj ? toFile(mmproj) : null, quant: quantOf(files[0]!.name), cardLicense };
}

/** The projector in the model's folder of the repo (none when the chosen file is itself one). */
export function projectorEntry(modelPath: string, ggufs: ListFileEntry[]): ListFileEntry | null {
  if (isProjectorName(modelPath)) return null;
  const dir = modelPath.includes('/') ? modelPath.slice(0, modelPath.lastIndexOf('/') + 1) : '';
  const beside = ggufs.filter((e) => e.path.startsWith(dir) && !e.path.slice(dir.length).includes('/'));
  const path = chooseProjector(
    beside.map((e) => e.path),
    modelPath,
  );
  return beside.find((e) => e.path === path) ?? null;
}

/** The card's `license` (a string, or a list of them), plus `license_name` when it is `other`. */
export function cardLicenseOf(cardData: unknown): string | null {
  const card = (cardData ?? {}) as { license?: unknown; license_name?: unknown };
  const ids = (Array.isArray(card.license) ? card.license : [card.license]).filter((l): l is string => typeof l === 'string' && l.trim() !== '');
  if (ids.length === 0) return null;
  const named = typeof card.license_name === 'string' && card.license_name.trim() ? card.license_name.trim() : null;
  return ids.map((l) => (l === 'other' && named ? named : l.trim())).join(', ');
}

/** Group split shards; pick by file name, else by quant tag, else the only model, else Q4_K_M. */
export function chooseFiles(spec: PullSpec, ggufs: ListFileEntry[]): ListFileEntry[] {
  const models = groupModels(ggufs.filter((e) => !/(^|\/)mmproj/i.test(e.path) || spec.selector?.toLowerCase().endsWith('.gguf')));
  const available = () => [...models.keys()].join(', ') || 'none';
  const sel = spec.selector;
  let matches: string[];
  if (sel && /\.gguf$/i.test(sel)) {
    const want = sel.toLowerCase();
    matches = [...models.entries()].filter(([, files]) => files.some((f) => f.path.toLowerCase() === want || baseName(f.path).toLowerCase() === want)).map(([k]) => k);
    if (!matches.length) throw new ModelError('hub_file_not_found', `${spec.repo} has no file ${sel}; GGUF models there: ${available()}`, 'file');
  } else if (sel) {
    const want = sel.toUpperCase();
    matches = [...models.keys()].filter((k) => quantOf(k)?.toUpperCase() === want);
    if (!matches.length)
      throw new ModelError('hub_file_not_found', `${spec.repo} has no ${sel} file; quants there: ${[...new Set([...models.keys()].map((k) => quantOf(k) ?? k))].join(', ') || 'none'}`, 'quant');
  } else {
    if (!models.size) throw new ModelError('hub_file_not_found', `${spec.repo} has no GGUF model files`, 'repo');
    matches = [...models.keys()];
    if (matches.length > 1) matches = matches.filter((k) => quantOf(k)?.toUpperCase() === 'Q4_K_M');
    if (!matches.length) throw new ModelError('ambiguous_file', `${spec.repo} has several GGUF models; name one with ${spec.repo}:<quant or file>: ${available()}`, 'file');
  }
  if (matches.length > 1) throw new ModelError('ambiguous_file', `${sel} matches several files in ${spec.repo}: ${matches.join(', ')}; name the file instead`, 'file');
  return models.get(matches[0]!)!;
}

/** Model key (the file, or the shard-1 name for a split model) → its files in order. */
function groupModels(ggufs: ListFileEntry[]): Map<string, ListFileEntry[]> {
  const groups = new Map<string, ListFileEntry[]>();
  for (const e of ggufs) {
    const s = shardName(baseName(e.path));
    const dir = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/') + 1) : '';
    const key = s ? `${dir}${s.prefix}-00001-of-${String(s.total).padStart(5, '0')}.gguf` : e.path;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  for (const [key, files] of groups) {
    files.sort((a, b) => a.path.localeCompare(b.path));
    const total = shardName(baseName(key))?.total ?? 1;
    if (files.length !== total) groups.delete(key);
  }
  return groups;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function quantOf(fileName: string): string | null {
  return parseGGUFQuantLabel(baseName(fileName))?.toUpperCase() ?? null;
}

/** GGUF repos matching `query`, with their GGUF files (for the UI's search box). */
export async function searchHub(cfg: HubConfig, query: string, limit = 20): Promise<HubSearchHit[]> {
  assertOnline(cfg, 'searching the hub');
  const hits: HubSearchHit[] = [];
  try {
    for await (const m of listModels({ search: { query, tags: ['gguf'] }, hubUrl: cfg.endpoint, additionalFields: ['filePaths'], limit, ...credentials(cfg) })) {
      const files: HubGgufFile[] = [];
      for (const path of m.filePaths ?? []) {
        if (!/\.gguf$/i.test(path)) continue;
        const s = shardName(baseName(path));
        if (s && s.index !== 1) continue;
        files.push({ name: path, sizeBytes: null, quant: quantOf(path) });
      }
      hits.push({ repo: m.name, downloads: m.downloads ?? null, likes: m.likes ?? null, updatedAt: isNaN(m.updatedAt.getTime()) ? null : m.updatedAt.toISOString(), files });
    }
  } catch (err) {
    throw hubError(err, cfg, `search '${query}'`);
  }
  return hits;
}

function hubError(err: unknown, cfg: HubConfig, what: string): ModelError {
  const status = (err as { statusCode?: number }).statusCode;
  const msg = (err as Error).message.replace(/\. URL: .*$/, '');
  if (status === 401 || status === 403) {
    const hint = cfg.token ? 'the token does not grant access (accept the license on the model page?)' : 'the repo is gated or private: set HF_TOKEN or the hub token in settings';
    return new ModelError('hub_error', `${what}: access denied by ${cfg.endpoint} (HTTP ${status}); ${hint}`, 'repo', 403);
  }
  if (status === 404) return new ModelError('hub_file_not_found', `${what}: not found on ${cfg.endpoint} (${msg})`, 'repo');
  if (status) return new ModelError('hub_error', `${what}: ${cfg.endpoint} answered HTTP ${status}: ${msg}`, 'repo');
  const cause = (err as { cause?: { code?: string } }).cause?.code;
  return new ModelError('hub_error', `${what}: cannot reach ${cfg.endpoint}${cause ? ` (${cause})` : ''}: ${msg}`, 'repo');
}
