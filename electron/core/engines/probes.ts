// The fixed probe set of a staging check and how two engines' answers are compared. The probes are
// seeded and greedy so the same build gives the same tokens; what they send is fixed text, never a
// user's prompt, and nothing of the answers is stored except token ids and numbers.
import { request } from 'node:http';
import { ENGINE_PATHS, type DeploymentCheckResult, type EngineCheckVerdict, type EngineProbeRun } from '../../contract/index.js';

export const PROBE_TOKENS = 64;
const CHAT_PROMPT = 'Once upon a time, in a small village by the sea, there lived';
const EMBED_TEXT = 'The quick brown fox jumps over the lazy dog.';
/** Generation slower than this fraction of the current engine counts as a regression. */
export const SLOWER_THRESHOLD = 0.8;
/** Embeddings closer than this are the same. */
export const COSINE_SAME = 0.9999;

export interface ProbeTarget {
  baseUrl: string;
  apiKey: string;
}

export interface ProbeAnswer {
  tokens: number[] | null;
  embedding: number[] | null;
  promptTps: number | null;
  genTps: number | null;
}

/** POST JSON on a connection of its own (llama-server may close one after an answer). */
function postJson(target: ProbeTarget, path: string, body: unknown, timeoutMs = 120_000): Promise<unknown> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${target.baseUrl}${path}`,
      { method: 'POST', agent: false, timeout: timeoutMs, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), authorization: `Bearer ${target.apiKey}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 500) >= 400) return reject(new Error(`${path}: HTTP ${res.statusCode}`));
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error(`${path}: the engine answered no JSON`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer in ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** Run the deployment role's probe against one engine. */
export async function probe(target: ProbeTarget, role: DeploymentCheckResult['role']): Promise<ProbeAnswer> {
  if (role === 'embeddings') {
    const r = (await postJson(target, ENGINE_PATHS.embeddings, { input: EMBED_TEXT })) as { data?: { embedding?: number[] }[] };
    return { tokens: null, embedding: r.data?.[0]?.embedding ?? null, promptTps: null, genTps: null };
  }
  if (role === 'rerank') return { tokens: null, embedding: null, promptTps: null, genTps: null };
  const r = (await postJson(target, ENGINE_PATHS.completion, {
    prompt: CHAT_PROMPT,
    n_predict: PROBE_TOKENS,
    seed: 42,
    temperature: 0,
    top_k: 1,
    return_tokens: true,
    cache_prompt: false,
    ignore_eos: true,
  })) as {
    tokens?: number[];
    timings?: { prompt_per_second?: number; predicted_per_second?: number };
  };
  return { tokens: r.tokens ?? null, embedding: null, promptTps: r.timings?.prompt_per_second ?? null, genTps: r.timings?.predicted_per_second ?? null };
}

/** Index of the first token where a and b differ; null when identical. */
export function firstDifference(a: number[], b: number[]): number | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return null;
}

export function cosine(a: number[], b: number[]): number | null {
  if (a.length !== b.length || a.length === 0) return null;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? null : dot / Math.sqrt(na * nb);
}

function ratio(candidate: number | null, current: number | null): number | null {
  return candidate && current ? Math.round((candidate / current) * 1000) / 1000 : null;
}

/**
 * candidate/current speed of rounds run back to back, median over the rounds: one lucky or unlucky
 * round on a shared machine moves it little (the best round of each side alone called an identical
 * build 'slower' about once in ten suite runs).
 */
export function pairedRatio(current: (number | null)[], candidate: (number | null)[]): number | null {
  const r = current
    .map((c, i) => ratio(candidate[i] ?? null, c))
    .filter((x): x is number => x !== null)
    .sort((a, b) => a - b);
  if (r.length === 0) return null;
  const mid = Math.floor(r.length / 2);
  return r.length % 2 ? r[mid]! : Math.round(((r[mid - 1]! + r[mid]!) / 2) * 1000) / 1000;
}

/** Compare the two runs of one deployment into its verdict and a sentence for a person. */
export function compare(
  deployment: string,
  role: DeploymentCheckResult['role'],
  sideBySide: boolean,
  current: EngineProbeRun & { embedding?: number[] | null },
  candidate: EngineProbeRun & { embedding?: number[] | null },
  /** Speed ratios measured round by round (median of paired rounds); else the runs' speeds are divided. */
  measured?: { gen: number | null; prompt: number | null },
): DeploymentCheckResult {
  const base = { deployment, role, sideBySide, current: strip(current), candidate: strip(candidate) };
  if (!candidate.loaded) {
    return {
      ...base,
      verdict: 'fails_to_load',
      summary: `fails to load: ${candidate.error ?? 'the engine gave no reason'}`,
      tokensIdentical: null,
      firstDifference: null,
      embeddingCosine: null,
      promptTpsRatio: null,
      genTpsRatio: null,
    };
  }
  const diff = current.tokens && candidate.tokens ? firstDifference(current.tokens, candidate.tokens) : null;
  const identical = current.tokens && candidate.tokens ? diff === null : null;
  const cos = current.embedding && candidate.embedding ? cosine(current.embedding, candidate.embedding) : null;
  const genTpsRatio = measured ? measured.gen : ratio(candidate.genTps, current.genTps);
  const promptTpsRatio = measured ? measured.prompt : ratio(candidate.promptTps, current.promptTps);
  const parts: string[] = [];
  let verdict: EngineCheckVerdict = 'pass';
  if (identical === true) parts.push(`identical ${current.tokens!.length} tokens`);
  if (identical === false) {
    verdict = 'differs';
    parts.push(`tokens differ from token ${diff}`);
  }
  if (cos !== null) {
    parts.push(`embeddings cosine ${cos.toFixed(6)}`);
    if (cos < COSINE_SAME) verdict = 'differs';
  }
  if (genTpsRatio !== null) {
    parts.push(`generation ${genTpsRatio}×, prompt ${promptTpsRatio ?? '?'}×`);
    if (verdict === 'pass' && genTpsRatio < SLOWER_THRESHOLD) {
      verdict = 'slower';
      parts.unshift(`slower by ${Math.round((1 - genTpsRatio) * 100)} %`);
    }
  }
  if (parts.length === 0) parts.push('loads');
  if (!sideBySide) parts.push('engines run one after the other (not enough memory for both)');
  return { ...base, verdict, summary: parts.join('; '), tokensIdentical: identical, firstDifference: diff, embeddingCosine: cos, promptTpsRatio, genTpsRatio };
}

function strip(run: EngineProbeRun & { embedding?: number[] | null }): EngineProbeRun {
  const { embedding: _embedding, ...rest } = run;
  return rest;
}

const ORDER: EngineCheckVerdict[] = ['pass', 'slower', 'differs', 'fails_to_load'];

export function worst(verdicts: EngineCheckVerdict[]): EngineCheckVerdict {
  return verdicts.reduce<EngineCheckVerdict>((w, v) => (ORDER.indexOf(v) > ORDER.indexOf(w) ? v : w), 'pass');
}
