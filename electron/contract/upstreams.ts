// Remote upstreams: other OpenAI-compatible servers (vLLM, TGI's Messages API, llama-swap, another
// llama-orch) whose models this gateway serves beside its own deployments. The zod schemas are the one
// validation of an upstream, used by the HTTP API, the CLI and the store when it reads its file.
import { z } from 'zod';
import { deploymentNameSchema } from './deployments.js';

export const UPSTREAMS_SCHEMA_VERSION = 1;

/** Upstream names: URL-safe, no `:` or `/` (ids are `upstream:<name>`, listed models `<prefix><model>`). */
export const upstreamNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, `.`, `_` or `-`, starting with a letter or digit');

/** An OpenAI base URL as SDKs take it (`http://host:8000/v1`); `/v1` is added when the path lacks it. */
export const upstreamUrlSchema = z
  .string()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !u.search && !u.hash;
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL without credentials, query or fragment, e.g. http://10.0.0.5:8000/v1');

const aliasesSchema = z.record(deploymentNameSchema, z.string().min(1).max(512)).refine((r) => Object.keys(r).length <= 64, 'at most 64 aliases');

const common = {
  /** Listed models are `<prefix><upstream model>`; null lists only the aliases. Default `<name>/`. */
  prefix: z
    .string()
    .regex(/^[A-Za-z0-9._:/-]{1,64}$/, 'must be 1-64 letters, digits, `.`, `_`, `:`, `/` or `-`')
    .nullable()
    .optional(),
  /** Our name → the upstream's model id, e.g. {"default": "meta-llama/Llama-3.1-70B-Instruct"}. */
  aliases: aliasesSchema.optional(),
  /** A local deployment (name or alias) answering this upstream's aliases while its circuit is open. */
  fallback: deploymentNameSchema.nullable().optional(),
  /** A whole request (streams included) may take this long. */
  timeoutSeconds: z.number().int().min(1).max(86_400).optional(),
  /** Requests sent to it at once; more wait in the admission queue. */
  maxConcurrent: z.number().int().min(1).max(1024).optional(),
  healthIntervalSeconds: z.number().int().min(1).max(3600).optional(),
  /** Consecutive failures (requests or health checks) that open the circuit. */
  failureThreshold: z.number().int().min(1).max(100).optional(),
  /** How long an open circuit refuses requests before one probe is let through. */
  openSeconds: z.number().int().min(1).max(3600).optional(),
};

export const upstreamInputSchema = z
  .object({
    name: upstreamNameSchema,
    baseUrl: upstreamUrlSchema,
    /** Sent as `Authorization: Bearer …`; stored encrypted, never shown again. */
    apiKey: z
      .string()
      .min(1)
      .max(4096)
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
      .optional(),
    ...common,
  })
  .strict();
export type UpstreamInput = z.infer<typeof upstreamInputSchema>;

/** What is saved (the key encrypted; defaults filled in). */
export const savedUpstreamSchema = z.object({
  name: upstreamNameSchema,
  baseUrl: upstreamUrlSchema,
  apiKeyEncrypted: z.string().nullable(),
  prefix: z.string().nullable(),
  aliases: aliasesSchema,
  fallback: deploymentNameSchema.nullable(),
  timeoutSeconds: z.number().int().min(1),
  maxConcurrent: z.number().int().min(1),
  healthIntervalSeconds: z.number().int().min(1),
  failureThreshold: z.number().int().min(1),
  openSeconds: z.number().int().min(1),
  createdAt: z.string(),
});
export type SavedUpstream = z.infer<typeof savedUpstreamSchema>;

export const upstreamsFileSchema = z.object({ schemaVersion: z.literal(UPSTREAMS_SCHEMA_VERSION), upstreams: z.array(savedUpstreamSchema) });
export type UpstreamsFile = z.infer<typeof upstreamsFileSchema>;

export type CircuitState = 'closed' | 'open' | 'half_open';

/** One upstream as the API, CLI and UI show it: never its key. */
export interface UpstreamView {
  name: string;
  baseUrl: string;
  hasKey: boolean;
  prefix: string | null;
  aliases: Record<string, string>;
  fallback: string | null;
  timeoutSeconds: number;
  maxConcurrent: number;
  healthIntervalSeconds: number;
  failureThreshold: number;
  openSeconds: number;
  createdAt: string;
  circuit: CircuitState;
  /** Seconds until an open circuit lets a probe through; null when not open. */
  retryAfterSeconds: number | null;
  /** Model ids its /v1/models listed at the last successful check (null: never checked yet). */
  models: string[] | null;
  lastCheckAt: string | null;
  /** Why the last check or request failed; null after a success. */
  lastError: string | null;
  consecutiveFailures: number;
}

export interface UpstreamListResponse {
  data: UpstreamView[];
  /** What was wrong with the upstreams file (kept aside); empty when all was well. */
  problems: string[];
}
