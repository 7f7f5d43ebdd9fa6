// The offline kit: a folder that carries engines, models and deployments to a machine without a
// network. `kit.json` lists every file with its size and sha256; import verifies each while copying.
import { API } from './routes.js';
import { z } from 'zod';
import { deploymentInputSchema, deploymentNameSchema } from './deployments.js';

/** GET: the first-run catalogue with this machine's verdicts ({ recommended, models }). */
export const CATALOG_ROUTE = API.catalog.path;

/** One catalogue entry with the planner's verdict on this machine (GET /api/v1/catalog). */
export interface CatalogModelView {
  id: string;
  name: string;
  /** Parameters, in billions. */
  params: number;
  repo: string;
  file: string;
  quant: string;
  sizeBytes: number;
  licence: string;
  roles: string[];
  context: number;
  /** How it would run here; null: it does not fit (then `reason` says why). */
  fit: 'gpu' | 'split' | 'partial' | 'cpu' | null;
  reason: string | null;
  contextSize: number | null;
}

export interface CatalogResponse {
  /** Id of the chat model recommended for this machine, or null when none fits well. */
  recommended: string | null;
  models: CatalogModelView[];
  /** What the memory bar measures a model against: all GPU memory, or the RAM on a machine without GPU. */
  memory: { kind: 'gpu' | 'ram'; totalBytes: number | null };
}

/** GET: the support bundle (application/zip), admin only. */
export const DIAGNOSTICS_ROUTE = API.diagnostics.path;

/** POST {dir, models?, engines?} → KitExportResult; POST {dir} → KitImportResult. Progress: ProgressEvent kinds `kit-export` / `kit-import`. */
export const KIT_ROUTES = { export: API.kitExport.path, import: API.kitImport.path } as const;
export const KIT_PROGRESS_KINDS = { export: 'kit-export', import: 'kit-import' } as const;

export const KIT_FORMAT_VERSION = 1;
export const KIT_MANIFEST = 'kit.json';

/** A path inside the kit: relative, forward slashes, no `..`, no empty or dot segments. */
export const kitPathSchema = z
  .string()
  .min(1)
  .max(512)
  .refine((p) => !p.startsWith('/') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && !/[\\:]/.test(s)), 'must be a relative path inside the kit');

export const kitFileSchema = z.object({ path: kitPathSchema, size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
export type KitFile = z.infer<typeof kitFileSchema>;

export const kitEngineSchema = z
  .object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/), archive: kitPathSchema, tag: z.string().nullable(), variant: z.string().nullable(), backend: z.string().nullable() })
  .strict();
export type KitEngine = z.infer<typeof kitEngineSchema>;

export const kitModelSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,95}$/),
    displayName: z.string(),
    aliases: z.array(z.string()),
    /** In shard order; split models are kept as their split files. */
    files: z.array(kitPathSchema).min(1),
    /** Where the model came from originally (a hub repo, or an import). */
    origin: z.string(),
  })
  .strict();
export type KitModel = z.infer<typeof kitModelSchema>;

/** A saved deployment as carried: `model` is a kit model id, `engine` a kit engine id or null. */
export const kitDeploymentSchema = deploymentInputSchema.extend({ name: deploymentNameSchema }).omit({ mmproj: true }).strict();
export type KitDeployment = z.infer<typeof kitDeploymentSchema>;

export const kitManifestSchema = z
  .object({
    formatVersion: z.literal(KIT_FORMAT_VERSION),
    appVersion: z.string(),
    createdAt: z.string(),
    files: z.array(kitFileSchema),
    engines: z.array(kitEngineSchema),
    models: z.array(kitModelSchema),
    deployments: z.array(kitDeploymentSchema),
    /** The engine deployments without a pinned one run on (an id in `engines`), or null. */
    defaultEngine: z.string().nullable(),
    /** The exporting machine's settings with every secret removed (for support; not applied). */
    settings: z.record(z.string(), z.unknown()),
  })
  .strict();
export type KitManifest = z.infer<typeof kitManifestSchema>;

export interface KitProgress {
  phase: 'verify' | 'copy' | 'register';
  file: string | null;
  bytes: number;
  totalBytes: number;
}

export interface KitExportResult {
  dir: string;
  files: number;
  bytes: number;
  engines: string[];
  models: string[];
  deployments: string[];
  /** Saved deployments left out, with why (a model given as a path, not in the library). */
  skipped: string[];
}

export interface KitImportResult {
  engines: string[];
  models: string[];
  deployments: string[];
  /** Bytes taken from an earlier, interrupted import instead of copied again. */
  resumedBytes: number;
  copiedBytes: number;
  /** Already here (same id and content) or named the same: left as they were. */
  skipped: string[];
}
