// The first-run catalogue: a versioned JSON in resources/ of well-known open GGUF models (repo, file,
// quant, size, licence, roles, context, and the architecture the planner needs before the file is
// downloaded), and the verdict of the real planner for each on this machine's snapshot, with one
// recommended chat model.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DEPLOYMENT_ROLES, type EstimatorInput, type HardwareSnapshot, type PlacementSettings, type PlanFit } from '../../contract/index.js';
import { packageRoot } from '../util/package-root.js';
import { plan } from '../placement/planner.js';

export const CATALOG_VERSION = 1;

const entrySchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    name: z.string().min(1),
    /** Parameters, in billions. */
    params: z.number().positive(),
    repo: z.string().regex(/^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*$/),
    file: z.string().regex(/\.gguf$/),
    quant: z.string().min(1),
    sizeBytes: z.number().int().positive(),
    licence: z.string().min(1),
    roles: z.array(z.enum(DEPLOYMENT_ROLES)).min(1),
    context: z.number().int().min(512),
    shape: z
      .object({
        architecture: z.string(),
        layers: z.number().int().positive(),
        embd: z.number().int().positive(),
        heads: z.number().int().positive(),
        headsKv: z.number().int().positive(),
        ff: z.number().int().positive(),
        vocab: z.number().int().positive(),
      })
      .strict(),
  })
  .strict();
export type CatalogEntry = z.infer<typeof entrySchema>;

export const catalogSchema = z.object({ catalogVersion: z.literal(CATALOG_VERSION), note: z.string().optional(), models: z.array(entrySchema).min(1) }).strict();

/** resources/ of the package (a checkout, `npm install -g`), or the desktop app's resources folder. */
export function catalogFile(): string {
  const beside = join(packageRoot(), 'resources', 'catalog.json');
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  return existsSync(beside) || !resources ? beside : join(resources, 'catalog.json');
}

export function loadCatalog(file = catalogFile()): CatalogEntry[] {
  return catalogSchema.parse(JSON.parse(readFileSync(file, 'utf8'))).models;
}

/** Above this many billion parameters a model is too slow for chat on CPUs alone: not recommended there. */
export const CPU_CHAT_MAX_PARAMS = 4;

/**
 * The estimator's view of a model that is not downloaded yet: tensor bytes shared out by parameter
 * count (bytes per parameter from the published file size). Good to the few percent a first-run
 * choice needs; once pulled, the real GGUF is planned again before loading.
 */
export function estimatorInputOf(e: CatalogEntry): EstimatorInput {
  const { layers, embd, heads, headsKv, ff, vocab, architecture } = e.shape;
  const headDim = embd / heads;
  const kvDim = headsKv * headDim;
  const layerParams = embd * (2 * embd + 2 * kvDim) + 3 * embd * ff;
  const embParams = vocab * embd;
  const bytesPerParam = e.sizeBytes / (layers * layerParams + 2 * embParams);
  const layerBytes = Math.round(layerParams * bytesPerParam);
  const embBytes = Math.round(embParams * bytesPerParam);
  return {
    architecture,
    name: e.name,
    fileBytes: e.sizeBytes,
    contextLength: e.context,
    embeddingLength: embd,
    attentionWidth: embd,
    feedForwardLength: ff,
    headCount: heads,
    headDimK: headDim,
    headDimV: headDim,
    vocabSize: vocab,
    expertCount: 0,
    expertUsedCount: 0,
    slidingWindow: null,
    layers: Array.from({ length: layers }, () => ({ weightBytes: layerBytes, nEmbdKGqa: kvDim, nEmbdVGqa: kvDim, slidingWindow: false })),
    inputBytes: embBytes,
    tokenEmbeddingBytes: embBytes,
    outputBytes: embBytes,
    outputTied: false,
    caveats: ['estimated from the catalogue: the file is not downloaded yet'],
  };
}

export interface CatalogVerdict {
  entry: CatalogEntry;
  /** How it would run here: on GPUs, split, partly offloaded, on the CPU; null = does not fit. */
  fit: PlanFit | null;
  /** The planner's words: why it does not fit, or its warnings. */
  reason: string | null;
  /** Context the plan gives each slot (lowered to fit), when it fits. */
  contextSize: number | null;
}

/** Every entry with the planner's verdict on this machine, and the chat model to recommend (or null). */
export function catalogFor(hardware: HardwareSnapshot, entries: CatalogEntry[], settings: Partial<PlacementSettings> = {}): { verdicts: CatalogVerdict[]; recommended: string | null } {
  const verdicts = entries.map((entry): CatalogVerdict => {
    const r = plan({ hardware, model: estimatorInputOf(entry), modelPath: `${entry.id}.gguf`, settings });
    return { entry, fit: r.plan?.fit ?? null, reason: r.plan ? r.plan.warnings?.join('; ') || null : r.error, contextSize: r.plan?.contextSize ?? null };
  });
  const hasGpu = hardware.gpus.length > 0;
  // With GPUs: the largest chat model that runs wholly on them. Without: the largest a CPU answers
  // at a reading pace. A partial offload is shown as fitting but never recommended: it is slow.
  const candidates = verdicts.filter((v) => v.entry.roles.includes('chat') && (hasGpu ? v.fit === 'gpu' || v.fit === 'split' : v.fit === 'cpu' && v.entry.params <= CPU_CHAT_MAX_PARAMS));
  const best = candidates.sort((a, b) => b.entry.params - a.entry.params)[0];
  return { verdicts, recommended: best?.entry.id ?? null };
}
