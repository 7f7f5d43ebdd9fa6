// Deployments: the one owner of "how each model runs here". One map of live deployment objects by
// name: the saved ones (deployments.json), and unsaved defaults for library models used without a
// deployment and for files given to `serve --model` (those create no record). It answers the
// gateway's questions (which deployment a `model` names, is its role right, a ready engine) and the
// admin API's (create, change, delete, load, unload). See DESIGN.md.
import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, resolve as resolvePath } from 'node:path';
import { ROUTES, type Deployment, type DeploymentInput, type DeploymentPatch, type DeploymentRole, type DeploymentView, type OpenAiModel, type RunningPlacement } from '../../contract/index.js';
import { DeploymentError } from './errors.js';
import { checkExtraFlags } from './flags.js';
import { LiveDeployment, type DeploymentEffects, type LiveInstance } from './deployment.js';
import type { DeploymentStore } from './store.js';

export interface LibraryModel {
  id: string;
  path: string;
  sha256: string | null;
  /** The vision projector paired with the model in the library. */
  mmproj?: string | null;
}

/** What a request asks of a deployment beyond its role. */
export interface RouteNeeds {
  /** The request carries image input: the engine needs a vision projector. */
  images?: boolean;
}

export interface DeploymentsOptions {
  store: DeploymentStore;
  effects: DeploymentEffects;
  /** The model library: id or alias → first file; every id it holds is servable with defaults. */
  library: { resolve(idOrAlias: string): LibraryModel | null; ids(): string[] };
  /** Names pinned in the settings (besides deployments' own `pinned`). */
  pinned?: () => string[];
  busy?: (name: string) => boolean;
  /** sha256 of a model file outside the library (receipts). */
  hashFile?: (path: string) => Promise<string>;
}

/** The deployment role a route needs. */
export function roleOfRoute(route: string): DeploymentRole {
  return route === ROUTES.embeddings ? 'embeddings' : route === ROUTES.rerank ? 'rerank' : 'chat';
}

/** A deployment name from a file name: `stories260K.gguf` → `stories260K`. */
export function nameFromPath(path: string): string {
  return basename(path).replace(/\.gguf$/i, '');
}

export class Deployments {
  private readonly items = new Map<string, LiveDeployment>();
  /** What was wrong with the deployments file at start (it was kept aside). */
  readonly problems: string[];

  constructor(private readonly opts: DeploymentsOptions) {
    const { deployments, problems } = opts.store.load();
    this.problems = problems;
    for (const d of deployments) this.items.set(d.name, this.live(d, true, this.modelPathOf(d.model) ?? d.model));
  }

  /** The deployment a request's `model` names: a name, an alias, or a library model (defaults). */
  find(model: string): LiveDeployment {
    const found = this.match(model);
    if (found) return found;
    const lib = this.opts.library.resolve(model);
    if (lib) {
      const existing = this.items.get(lib.id);
      if (existing) return existing;
      const item = this.live(defaults(lib.id, lib.id, lib.sha256, this.opts.effects.now()), false, lib.path);
      this.items.set(lib.id, item);
      return item;
    }
    throw new DeploymentError('model_not_found', `model '${model}' not found; available models: ${this.names().join(', ') || 'none (import or pull a model first)'}`, 'model');
  }

  /**
   * The deployment for a route: its role must match, or the error names a deployment that has it;
   * image input needs a vision projector, or the error says how to give it one.
   */
  forRoute(model: string, route: string, needs: RouteNeeds = {}): LiveDeployment {
    const d = this.find(model);
    const need = roleOfRoute(route);
    if (d.config.role === need) {
      if (needs.images && !d.projector())
        throw noProjector(
          d,
          [...this.items.values()].find((o) => o.config.role === need && o.projector() !== null),
        );
      return d;
    }
    const other = [...this.items.values()].find((o) => o.config.role === need && o.modelPath === d.modelPath) ?? [...this.items.values()].find((o) => o.config.role === need);
    const hint = other ? `; deployment '${other.name}' serves ${route}` : `; create a deployment with role '${need}' for it (\`llama-orch deploy ${d.config.model} --role ${need}\`)`;
    throw new DeploymentError('wrong_role', `deployment '${d.name}' has role '${d.config.role}' and cannot serve ${route}${hint}`, 'model');
  }

  names(): string[] {
    return [...new Set([...this.items.keys(), ...this.opts.library.ids()])];
  }

  get(name: string): LiveDeployment | undefined {
    return this.items.get(name);
  }

  /** GET /v1/models: every deployment and every library model, with whether an engine serves it. */
  openAiModels(): OpenAiModel[] {
    return this.names().map((name) => this.openAiModel(name, this.items.get(name)));
  }

  openAiModel(name: string, d = this.items.get(name)): OpenAiModel {
    const state = d?.instance?.info().state;
    return {
      id: name,
      object: 'model',
      created: d ? Math.floor(Date.parse(d.config.createdAt) / 1000) : 0,
      owned_by: 'llama-orch',
      state: state === 'ready' ? 'loaded' : state === 'starting' ? 'loading' : state === 'failed' ? 'failed' : 'unloaded',
      aliases: d?.config.aliases ?? [],
      role: d?.config.role ?? 'chat',
    };
  }

  /**
   * After a default-engine switch: each running deployment that follows the default moves to it, one
   * at a time, its old engine serving until the new one is ready. One that fails keeps its old engine
   * and is reported, the others still move.
   */
  async rollingRestart(): Promise<{ deployment: string; readyMs: number; error?: string }[]> {
    const out: { deployment: string; readyMs: number; error?: string }[] = [];
    for (const d of [...this.items.values()]) {
      if (d.config.engine !== null || !d.instance) continue;
      try {
        const r = await d.restartOnEngine();
        if (r) out.push({ deployment: d.name, readyMs: r.readyMs });
      } catch (err) {
        out.push({ deployment: d.name, readyMs: -1, error: (err as Error).message });
      }
    }
    return out;
  }

  /**
   * Before a default switch: saved deployments that follow the default only after a passing check, and
   * have none, are pinned to the engine they had (`engine`), so the switch does not move them.
   */
  holdUnchecked(passed: (name: string) => boolean, engine: string): { deployment: string; engine: string }[] {
    const held: { deployment: string; engine: string }[] = [];
    for (const d of this.items.values()) {
      if (!d.saved || d.config.engine !== null || d.config.engineUpdates !== 'after-check' || passed(d.name)) continue;
      d.config = { ...d.config, engine, updatedAt: new Date(this.opts.effects.now()).toISOString() };
      held.push({ deployment: d.name, engine });
    }
    if (held.length > 0) this.persist();
    return held;
  }

  /**
   * Pin saved deployments to an engine (promote for chosen deployments): each saved, then moved with
   * the same rolling restart. One whose new engine fails to start keeps its old engine and its old pin.
   */
  async pinEngine(names: string[], engine: string): Promise<{ deployment: string; readyMs: number; error?: string }[]> {
    const items = names.map((n) => this.require(n));
    const unsaved = items.filter((d) => !d.saved).map((d) => d.name);
    if (unsaved.length > 0) throw new DeploymentError('deployment_not_found', `${unsaved.join(', ')}: not saved deployments; save them first (\`llama-orch deploy\`)`, 'deployments');
    const out: { deployment: string; readyMs: number; error?: string }[] = [];
    for (const d of items) {
      const before = d.config;
      d.config = { ...before, engine, updatedAt: new Date(this.opts.effects.now()).toISOString() };
      try {
        const r = await d.restartOnEngine();
        this.persist();
        out.push({ deployment: d.name, readyMs: r?.readyMs ?? 0 });
      } catch (err) {
        d.config = before;
        out.push({ deployment: d.name, readyMs: -1, error: (err as Error).message });
      }
    }
    return out;
  }

  views(): DeploymentView[] {
    return [...this.items.values()].map(view);
  }

  /** Create (and save) a deployment. Replaces the unsaved defaults of the same name, re-planning a running engine. */
  async create(input: DeploymentInput): Promise<DeploymentView> {
    const { path, libraryId, ...model } = this.resolveModel(input.model);
    const sha256 = model.sha256 ?? (await this.opts.hashFile?.(path)) ?? null;
    const name = input.name ?? libraryId ?? nameFromPath(path);
    const existing = this.items.get(name);
    if (existing?.saved) throw new DeploymentError('alias_conflict', `a deployment named '${name}' already exists; change it with PATCH or choose another name`, 'name');
    const now = new Date(this.opts.effects.now()).toISOString();
    const next = this.checked({
      ...defaults(name, libraryId ?? path, sha256, this.opts.effects.now()),
      ...withoutUndefined(input),
      name,
      model: libraryId ?? path,
      modelSha256: sha256,
      createdAt: now,
      updatedAt: now,
    });
    if (existing) await existing.apply(next, path, this.pairedOf(next.model));
    const item = existing ?? this.live(next, true, path);
    item.saved = true;
    this.items.set(name, item);
    this.persist();
    return view(item);
  }

  /**
   * Change a deployment: validated and re-planned before anything is saved or restarted; overrides
   * merge into the ones set before. `save:
   * false` changes how it runs now without creating a record (a deployment already saved stays saved).
   */
  async update(name: string, patch: DeploymentPatch, opts: { save?: boolean } = {}): Promise<DeploymentView> {
    const item = this.require(name);
    const model = patch.model !== undefined ? this.resolveModel(patch.model) : null;
    const next = this.checked({
      ...item.config,
      ...withoutUndefined(patch),
      // Overrides merge field by field: `deploy m --parallel 3` keeps the devices set before.
      overrides: { ...item.config.overrides, ...patch.overrides },
      ...(model ? { model: model.libraryId ?? model.path, modelSha256: model.sha256 } : {}),
      updatedAt: new Date(this.opts.effects.now()).toISOString(),
    });
    await item.apply(next, model?.path ?? item.modelPath, model ? this.pairedOf(next.model) : item.pairedMmproj);
    if (opts.save !== false) item.saved = true;
    if (item.saved) this.persist();
    return view(item);
  }

  async remove(name: string): Promise<void> {
    const item = this.require(name);
    if (!item.saved) throw new DeploymentError('deployment_not_found', `'${name}' has no saved deployment (it runs with defaults); unload it instead`, 'name');
    this.items.delete(name);
    this.persist();
    await item.unload();
  }

  /** Serve a file (or library model) with the given settings without saving a deployment (`serve --model`, tests). */
  addUnsaved(input: DeploymentInput & { name: string }): LiveDeployment {
    // Never shadow a saved deployment: it would drop out of the file at the next save.
    const saved = this.match(input.name);
    if (saved?.saved) throw new DeploymentError('alias_conflict', `'${input.name}' is a saved deployment ('${saved.name}'); load it by that name, or give the file another name`, 'name');
    const { path, sha256, libraryId } = this.resolveModel(input.model);
    const config = this.checked({ ...defaults(input.name, libraryId ?? path, sha256, this.opts.effects.now()), ...withoutUndefined(input) }, input.name);
    const item = this.live(config, false, path);
    this.items.set(config.name, item);
    // Receipts name the model's hash; a file outside the library is hashed once, off the request path.
    if (!config.modelSha256 && this.opts.hashFile)
      void this.opts.hashFile(path).then(
        (h) => (item.config.modelSha256 ??= h),
        () => undefined,
      );
    return item;
  }

  /** A deployment, library model or GGUF path (served with defaults under its file name). */
  findOrServeFile(model: string): LiveDeployment {
    try {
      return this.find(model);
    } catch (err) {
      if (!(err instanceof DeploymentError) || !existsSync(resolvePath(model))) throw err;
      const name = nameFromPath(model);
      return this.items.get(name) ?? this.addUnsaved({ name, model: resolvePath(model) });
    }
  }

  /** Start a deployment's engine (placed, not yet ready); a failed engine is replaced by a fresh attempt. */
  async load(model: string): Promise<LiveInstance> {
    const d = this.find(model);
    if (d.instance?.info().state === 'failed') await d.unload();
    return d.ensureInstance();
  }

  async unload(model: string): Promise<boolean> {
    const d = this.match(model) ?? this.find(model); // unknown → model_not_found, listing what exists
    if (!d.instance) return false;
    await d.unload();
    return true;
  }

  /** Deployments whose engine (not stopped) was placed partly on RPC workers, with those workers. */
  onWorkers(): { name: string; workers: string[] }[] {
    const out: { name: string; workers: string[] }[] = [];
    for (const d of this.items.values()) {
      const state = d.instance?.info().state;
      const workers = d.placement?.rpcServers ?? [];
      if (workers.length > 0 && state && state !== 'stopped') out.push({ name: d.name, workers });
    }
    return out;
  }

  /** What the planner must count as taken: every live engine with a placement. */
  runningPlacements(except?: string): RunningPlacement[] {
    const out: RunningPlacement[] = [];
    for (const d of this.items.values()) {
      const info = d.instance?.info();
      if (!d.placement || !info || d.name === except || info.state === 'stopped' || info.state === 'failed') continue;
      out.push({
        instanceId: d.name,
        bytesByDevice: Object.fromEntries(d.placement.devices.map((p) => [p.id, p.totalBytes])),
        idle: !(this.opts.busy?.(d.name) ?? false),
        pinned: this.isPinned(d),
        lastUsedAt: d.lastUsedAt || Date.parse(info.readyAt ?? info.startedAt ?? '0'),
      });
    }
    return out;
  }

  /** Ready deployments unused for their idle TTL (or the global one), not pinned, not busy. */
  idle(globalTtlMs: number, now: number): LiveDeployment[] {
    return [...this.items.values()].filter((d) => {
      const info = d.instance?.info();
      const ttl = d.config.idleTtlSeconds !== null ? d.config.idleTtlSeconds * 1000 : globalTtlMs;
      if (!info || info.state !== 'ready' || ttl <= 0 || this.isPinned(d) || this.opts.busy?.(d.name)) return false;
      return now - (d.lastUsedAt || Date.parse(info.readyAt ?? '0')) > ttl;
    });
  }

  private isPinned(d: LiveDeployment): boolean {
    return d.config.pinned || (this.opts.pinned?.() ?? []).includes(d.name);
  }

  private require(name: string): LiveDeployment {
    const d = this.items.get(name) ?? this.match(name);
    if (!d) throw new DeploymentError('deployment_not_found', `deployment '${name}' not found; deployments: ${[...this.items.keys()].join(', ') || 'none'}`, 'name');
    return d;
  }

  /** A name or alias (case-insensitive; a `.gguf` suffix is ignored). */
  private match(model: string): LiveDeployment | undefined {
    const exact = this.items.get(model);
    if (exact) return exact;
    const key = model.toLowerCase().replace(/\.gguf$/, '');
    for (const d of this.items.values()) if (d.name.toLowerCase() === key || d.config.aliases.some((a) => a.toLowerCase() === key)) return d;
    return undefined;
  }

  /** Flags allowed, names and aliases unique across deployments (409 on a clash). */
  private checked(d: Deployment, self = d.name): Deployment {
    checkExtraFlags(d.extraFlags);
    if (d.role !== 'embeddings' && d.pooling !== null) throw new DeploymentError('invalid_value', `pooling applies to role 'embeddings' only (role is '${d.role}')`, 'pooling');
    if (d.mmproj && (!isAbsolute(d.mmproj) || !/\.gguf$/i.test(d.mmproj))) throw new DeploymentError('invalid_value', `mmproj must be the absolute path of a .gguf file, got '${d.mmproj}'`, 'mmproj');
    if (d.mmproj && !existsSync(d.mmproj)) throw new DeploymentError('invalid_value', `vision projector not found: ${d.mmproj}`, 'mmproj');
    if (d.engine !== null) {
      try {
        this.opts.effects.engineBinary(d.engine);
      } catch (err) {
        throw new DeploymentError('invalid_value', `engine: ${(err as Error).message}`, 'engine');
      }
    }
    const taken = new Map<string, string>();
    for (const o of this.items.values()) {
      if (o.name === self || !o.saved) continue;
      for (const n of [o.name, ...o.config.aliases]) taken.set(n.toLowerCase(), o.name);
    }
    const mine = [d.name, ...d.aliases];
    for (const [i, n] of mine.entries()) {
      const owner = taken.get(n.toLowerCase());
      if (owner) throw new DeploymentError('alias_conflict', `'${n}' is already a name or alias of deployment '${owner}'`, i === 0 ? 'name' : `aliases.${i - 1}`);
      if (mine.slice(0, i).some((m) => m.toLowerCase() === n.toLowerCase())) throw new DeploymentError('alias_conflict', `'${n}' is given twice`, `aliases.${i - 1}`);
    }
    return d;
  }

  /** A library id or alias, or a path to a GGUF file. */
  private resolveModel(model: string): { path: string; sha256: string | null; libraryId: string | null } {
    const lib = this.opts.library.resolve(model);
    if (lib) return { path: lib.path, sha256: lib.sha256, libraryId: lib.id };
    const path = resolvePath(model);
    if ((isAbsolute(model) || model.includes('/') || /\.gguf$/i.test(model)) && existsSync(path) && statSync(path).isFile()) {
      if (!/\.gguf$/i.test(path)) throw new DeploymentError('invalid_value', `${path} is not a .gguf file`, 'model');
      return { path, sha256: null, libraryId: null };
    }
    throw new DeploymentError('model_not_found', `model '${model}' is neither in the library nor a GGUF file; library models: ${this.opts.library.ids().join(', ') || 'none'}`, 'model');
  }

  /** A live deployment, with the projector its library model is paired with. */
  private live(config: Deployment, saved: boolean, path: string): LiveDeployment {
    const item = new LiveDeployment(config, saved, path, this.opts.effects);
    item.pairedMmproj = this.pairedOf(config.model);
    return item;
  }

  private pairedOf(model: string): string | null {
    return isAbsolute(model) ? null : (this.opts.library.resolve(model)?.mmproj ?? null);
  }

  private modelPathOf(model: string): string | null {
    return this.opts.library.resolve(model)?.path ?? (isAbsolute(model) ? model : null);
  }

  private persist(): void {
    this.opts.store.save([...this.items.values()].filter((d) => d.saved).map((d) => d.config));
  }
}

function defaults(name: string, model: string, sha256: string | null, nowMs: number): Deployment {
  const at = new Date(nowMs).toISOString();
  return {
    name,
    model,
    modelSha256: sha256,
    aliases: [],
    engine: null,
    overrides: {},
    role: 'chat',
    pooling: null,
    mmproj: null,
    reproducible: false,
    pinned: false,
    idleTtlSeconds: null,
    extraFlags: [],
    createdAt: at,
    updatedAt: at,
  };
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function view(d: LiveDeployment): DeploymentView {
  return { ...d.config, saved: d.saved, modelPath: d.modelPath, projector: d.projector(), instance: d.instance?.info() ?? null };
}

function noProjector(d: LiveDeployment, other: LiveDeployment | undefined): DeploymentError {
  const hint = other
    ? `deployment '${other.name}' has one`
    : `pair one with \`llama-orch deploy ${d.config.model} --name ${d.name} --mmproj <mmproj.gguf>\` (or import the model with its mmproj file beside it)`;
  return new DeploymentError('no_vision_projector', `deployment '${d.name}' has no vision projector (mmproj) and cannot read image input; ${hint}`, 'messages');
}
