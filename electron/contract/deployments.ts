// Deployments: the saved answer to "how does this model run here" (model, names, engine, placement
// overrides, role, flags), shared by the core, the CLI and the UI. The zod schemas are the one
// validation of a deployment, used by the HTTP API and by the store when it reads its file.
import { z } from 'zod';
import { KV_CACHE_TYPES, type KvCacheType, type PlacementOverrides } from './placement.js';
import type { InstanceInfo } from './instances.js';

export const DEPLOYMENTS_SCHEMA_VERSION = 1;

export const DEPLOYMENT_ROLES = ['chat', 'embeddings', 'rerank'] as const;
export type DeploymentRole = (typeof DEPLOYMENT_ROLES)[number];
export const POOLING_TYPES = ['mean', 'cls', 'last', 'rank', 'none'] as const;
export type PoolingType = (typeof POOLING_TYPES)[number];

/** Names and aliases: what clients put in `model`, so they stay plain and URL-safe. */
export const deploymentNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'must be 1-128 letters, digits, `.`, `_`, `:` or `-`, starting with a letter or digit');

export const placementOverridesSchema = z
  .object({
    devices: z.union([z.array(z.string()), z.string().transform((s) => s.split(','))]).optional(),
    nGpuLayers: z.number().int().min(0).optional(),
    tensorSplit: z.union([z.array(z.number().min(0)), z.string().transform((s) => s.split(',').map(Number))]).optional(),
    mainGpu: z.number().int().min(0).optional(),
    splitMode: z.enum(['none', 'layer', 'row']).optional(),
    contextSize: z.number().int().min(256).optional(),
    parallel: z.number().int().min(1).max(256).optional(),
    cacheTypeK: z.enum(KV_CACHE_TYPES as [KvCacheType, ...KvCacheType[]]).optional(),
    cacheTypeV: z.enum(KV_CACHE_TYPES as [KvCacheType, ...KvCacheType[]]).optional(),
    flashAttention: z.enum(['on', 'off', 'auto']).optional(),
    force: z.boolean().optional(),
    workers: z.enum(['auto', 'never', 'always']).optional(),
    localRamLimitMiB: z.number().int().min(1).optional(),
  })
  .strict();

/** What a user sets; everything but `model` has a default. */
export const deploymentInputSchema = z
  .object({
    /** Library id (or alias), or an absolute path to a GGUF file. */
    model: z.string().min(1).max(4096),
    name: deploymentNameSchema.optional(),
    aliases: z.array(deploymentNameSchema).max(32).optional(),
    /** An engine id (folder under <data>/engines) or a path to llama-server; null = the default engine. */
    engine: z.string().min(1).max(4096).nullable().optional(),
    overrides: placementOverridesSchema.optional(),
    role: z.enum(DEPLOYMENT_ROLES).optional(),
    /** Embeddings pooling (role embeddings; rerank always uses `rank`). */
    pooling: z.enum(POOLING_TYPES).nullable().optional(),
    /** A vision projector (mmproj GGUF) paired with the model. */
    mmproj: z.string().min(1).max(4096).nullable().optional(),
    reproducible: z.boolean().optional(),
    /** Never unloaded by the idle timer nor evicted by placement. */
    pinned: z.boolean().optional(),
    /** Unload after this long unused; null = the global setting. */
    idleTtlSeconds: z.number().int().min(0).nullable().optional(),
    /** Extra llama-server flags from an allow-list, as argv tokens (`["--rope-freq-base", "10000"]`). */
    extraFlags: z.array(z.string().max(4096)).max(64).optional(),
    /**
     * Following the default engine: `follow` (any switch), or `after-check`: a switch moves it only when
     * the check report the switch relied on passed for it; otherwise it is pinned to the engine it had.
     */
    engineUpdates: z.enum(['follow', 'after-check']).optional(),
  })
  .strict();
export type DeploymentInput = z.infer<typeof deploymentInputSchema>;

/** PATCH: every field optional; `model` may change too (the deployment is re-planned). */
export const deploymentPatchSchema = deploymentInputSchema.partial().omit({ name: true }).strict();
export type DeploymentPatch = z.infer<typeof deploymentPatchSchema>;

export interface Deployment {
  name: string;
  model: string;
  /** sha256 of the model's first file when known (library models carry it in their manifest). */
  modelSha256: string | null;
  aliases: string[];
  engine: string | null;
  overrides: PlacementOverrides;
  role: DeploymentRole;
  pooling: PoolingType | null;
  mmproj: string | null;
  reproducible: boolean;
  pinned: boolean;
  idleTtlSeconds: number | null;
  extraFlags: string[];
  /** Absent: `follow`. */
  engineUpdates?: 'follow' | 'after-check';
  createdAt: string;
  updatedAt: string;
}

export const deploymentSchema = z
  .object({
    name: deploymentNameSchema,
    model: z.string().min(1),
    modelSha256: z.string().nullable(),
    aliases: z.array(deploymentNameSchema),
    engine: z.string().nullable(),
    overrides: placementOverridesSchema,
    role: z.enum(DEPLOYMENT_ROLES),
    pooling: z.enum(POOLING_TYPES).nullable(),
    mmproj: z.string().nullable(),
    reproducible: z.boolean(),
    pinned: z.boolean(),
    idleTtlSeconds: z.number().int().min(0).nullable(),
    extraFlags: z.array(z.string()),
    engineUpdates: z.enum(['follow', 'after-check']).optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strict();

export const deploymentsFileSchema = z.object({ schemaVersion: z.literal(DEPLOYMENTS_SCHEMA_VERSION), deployments: z.array(deploymentSchema) }).strict();
export type DeploymentsFile = z.infer<typeof deploymentsFileSchema>;

/**
 * One row of GET /api/v1/deployments: saved deployments and models served without one (a library
 * model loaded on first use, a file given to `serve --model`), with their live instance.
 */
export interface DeploymentView extends Deployment {
  /** false: not in the deployments file (defaults; `PUT`/`POST` saves it). */
  saved: boolean;
  modelPath: string | null;
  /** The projector the engine gets: the deployment's `mmproj`, else the one paired with its library model. */
  projector: string | null;
  instance: InstanceInfo | null;
}

export interface DeploymentListResponse {
  data: DeploymentView[];
  /** Problems met reading the deployments file (a corrupt file is kept aside, never replaced). */
  problems: string[];
}

/** Closed set of reasons a deployment operation fails; api/ maps each to an HTTP status. */
export type DeploymentErrorCode =
  | 'deployment_not_found'
  | 'model_not_found'
  | 'alias_conflict'
  | 'invalid_value'
  | 'flag_not_allowed'
  | 'wrong_role'
  | 'no_vision_projector'
  | 'placement_refused'
  | 'model_does_not_fit'
  | 'model_unreadable'
  | 'engine_unavailable'
  | 'model_loading'
  | 'store_unwritable';
