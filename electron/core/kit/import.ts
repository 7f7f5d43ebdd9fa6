// `kit import`: read kit.json, check every file is there at its size, copy each into a staging
// folder of the data dir hashing as it goes (resuming a copy an earlier run left half-done), and only
// when every file matched register engines, models and deployments. A refused kit registers nothing.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { KIT_MANIFEST, kitManifestSchema, type KitFile, type KitImportResult, type KitManifest, type KitProgress } from '../../contract/index.js';
import type { Deployments } from '../deployments/service.js';
import type { EngineService } from '../engines/service.js';
import type { ModelLibrary } from '../models/library.js';
import { copyVerified } from './copy.js';
import { KitError } from './errors.js';

export interface KitTargets {
  library: ModelLibrary;
  engines: EngineService;
  deployments: Deployments;
  downloadsDir: string;
  defaultEngine: () => string | null;
  setDefaultEngine: (id: string) => void;
}

export async function readKit(dir: string): Promise<KitManifest> {
  let text: string;
  try {
    text = readFileSync(join(dir, KIT_MANIFEST), 'utf8');
  } catch {
    throw new KitError('kit_incomplete', `${dir} is not a kit: ${KIT_MANIFEST} is missing (an export that did not finish has none)`, KIT_MANIFEST);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new KitError('kit_invalid', `${KIT_MANIFEST} is not valid JSON: ${(err as Error).message}`, KIT_MANIFEST);
  }
  const parsed = kitManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const version = (json as { formatVersion?: unknown })?.formatVersion;
    const why = issue.path[0] === 'formatVersion' ? `kit format ${String(version)} is not one this version reads (1); update llama-orch` : `${issue.path.join('.') || '(root)'}: ${issue.message}`;
    throw new KitError('kit_invalid', `${KIT_MANIFEST}: ${why}`, KIT_MANIFEST);
  }
  checkReferences(parsed.data);
  return parsed.data;
}

/** Every engine archive and model file is a listed file; every deployment names a kit model. */
function checkReferences(kit: KitManifest): void {
  const listed = new Set(kit.files.map((f) => f.path));
  const need = [...kit.engines.map((e) => e.archive), ...kit.models.flatMap((m) => m.files)];
  for (const p of need) if (!listed.has(p)) throw new KitError('kit_invalid', `${KIT_MANIFEST}: ${p} is used but not listed in files (no size or sha256 to check it by)`, p);
  const models = new Set(kit.models.map((m) => m.id));
  const engines = new Set(kit.engines.map((e) => e.id));
  for (const d of kit.deployments) {
    if (!models.has(d.model)) throw new KitError('kit_invalid', `${KIT_MANIFEST}: deployment ${d.name} names model ${d.model}, which the kit does not carry`);
    if (d.engine && !engines.has(d.engine)) throw new KitError('kit_invalid', `${KIT_MANIFEST}: deployment ${d.name} names engine ${d.engine}, which the kit does not carry`);
  }
}

export async function importKit(t: KitTargets, dir: string, opts: { onProgress?: (p: KitProgress) => void; signal?: AbortSignal } = {}): Promise<KitImportResult> {
  const kit = await readKit(dir);
  const result: KitImportResult = { engines: [], models: [], deployments: [], resumedBytes: 0, copiedBytes: 0, skipped: [] };
  await checkPresent(dir, kit.files);
  const engines = kit.engines.filter((e) => (t.engines.get(e.id) ? void result.skipped.push(`engine ${e.id}: already installed`) : true));
  const models = kit.models.filter((m) => !alreadyHere(t.library, m, kit.files, result.skipped));
  const wanted = new Set([...engines.map((e) => e.archive), ...models.flatMap((m) => m.files)]);
  const files = kit.files.filter((f) => wanted.has(f.path));
  // Named after the kit's contents, so a second run after a cut finds the first run's copies.
  const staging = join(t.downloadsDir, `kit-${createHash('sha256').update(JSON.stringify(kit.files)).digest('hex').slice(0, 16)}`);
  const total = files.reduce((s, f) => s + f.size, 0);
  let done = 0;
  for (const f of files) {
    const dst = join(staging, ...f.path.split('/'));
    mkdirSync(dirname(dst), { recursive: true });
    const r = await copyVerified(
      join(dir, ...f.path.split('/')),
      dst,
      f,
      (n) => {
        done += n;
        opts.onProgress?.({ phase: 'copy', file: f.path, bytes: done, totalBytes: total });
      },
      opts.signal,
    );
    if (r.sha256 !== f.sha256) {
      await rm(staging, { recursive: true, force: true });
      throw new KitError('kit_tampered', `${f.path}: its sha256 is ${r.sha256}, kit.json says ${f.sha256}: the file was changed or damaged; nothing was imported`, f.path);
    }
    result.resumedBytes += r.resumedBytes;
    result.copiedBytes += r.copiedBytes;
  }
  opts.onProgress?.({ phase: 'register', file: null, bytes: total, totalBytes: total });
  const staged = (p: string) => join(staging, ...p.split('/'));
  const sha = (p: string) => kit.files.find((f) => f.path === p)!.sha256;
  for (const e of engines) {
    const info = await t.engines.importArchive(staged(e.archive), { sha256: sha(e.archive) });
    if (info.id !== e.id) result.skipped.push(`engine ${e.id}: installed as ${info.id}`);
    result.engines.push(info.id);
  }
  for (const m of models) {
    const files = m.files.map((p) => ({ name: basename(p), tempPath: staged(p), sha256: sha(p), sizeBytes: kit.files.find((f) => f.path === p)!.size }));
    await t.library.addDownloaded(m.id, files, { kind: 'import', path: join(dir, ...m.files[0]!.split('/')), linked: false }, m.aliases);
    result.models.push(m.id);
  }
  await registerDeployments(t, kit, result);
  await rm(staging, { recursive: true, force: true });
  return result;
}

/** Refuse an incomplete kit before copying a byte: every file there, at the size kit.json gives. */
async function checkPresent(dir: string, files: KitFile[]): Promise<void> {
  for (const f of files) {
    const st = await stat(join(dir, ...f.path.split('/'))).catch(() => null);
    if (!st?.isFile()) throw new KitError('kit_incomplete', `the kit is incomplete: ${f.path} is missing; nothing was imported`, f.path);
    if (st.size !== f.size) throw new KitError('kit_incomplete', `the kit is incomplete: ${f.path} has ${st.size} bytes, kit.json says ${f.size}; nothing was imported`, f.path);
  }
}

/** The same model (id and first file's sha256) is already in the library; another one of that id is a conflict. */
function alreadyHere(library: ModelLibrary, m: KitManifest['models'][number], files: KitFile[], skipped: string[]): boolean {
  const have = library.get(m.id);
  if (!have) return false;
  const want = files.find((f) => f.path === m.files[0])!.sha256;
  if (have.files[0]?.sha256 !== want)
    throw new KitError('kit_conflict', `the library already has a different model with id '${m.id}'; remove it first (\`llama-orch models remove ${m.id}\`); nothing was imported`, m.files[0]);
  skipped.push(`model ${m.id}: already in the library`);
  return true;
}

async function registerDeployments(t: KitTargets, kit: KitManifest, result: KitImportResult): Promise<void> {
  const saved = new Set(
    t.deployments
      .views()
      .filter((v) => v.saved)
      .map((v) => v.name),
  );
  for (const d of kit.deployments) {
    if (saved.has(d.name)) {
      result.skipped.push(`deployment ${d.name}: a deployment of that name exists here`);
      continue;
    }
    await t.deployments.create(d);
    result.deployments.push(d.name);
  }
  if (kit.defaultEngine && !t.defaultEngine() && t.engines.get(kit.defaultEngine)) t.setDefaultEngine(kit.defaultEngine);
}
