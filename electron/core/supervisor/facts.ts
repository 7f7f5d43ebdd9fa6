// Structured facts read from an engine's own log lines: model loaded, memory buffers per device
// (model / KV / compute / output), slots, and the token rates of the last request. Pure: a line in,
// an updated fact sheet out. Prompts and completions never appear in these lines.
import type { EngineBufferFact, EngineFacts, TokenRateFact } from '../../contract/index.js';

export function emptyFacts(): EngineFacts {
  return {
    modelLoaded: false,
    modelLoadedAt: null,
    buffers: [],
    totals: { modelBytes: 0, kvBytes: 0, computeBytes: 0 },
    slots: null,
    contextPerSlot: null,
    lastPromptEval: null,
    lastEval: null,
    requestsTimed: 0,
  };
}

const UNIT: Record<string, number> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, MB: 1024 ** 2, KB: 1024, GB: 1024 ** 3 };
const KIND: Record<string, EngineBufferFact['kind']> = { model: 'model', KV: 'kv', kv: 'kv', compute: 'compute', output: 'output' };

/** llama.cpp's `<time> <level> ` prefix, removed for matching and for reasons shown to people. */
export function stripLogPrefix(text: string): string {
  return text.replace(/^\s*\d+\.\d+\.\d+\.\d+ [IWEDT] /, '').trim();
}

/** Update `facts` from one engine line; returns true when something changed. */
export function applyLogLine(facts: EngineFacts, raw: string, nowIso: string): boolean {
  const text = stripLogPrefix(raw);
  const buffer = /:\s+(\S+)\s+(model|KV|kv|compute|output) buffer size\s*=\s*([\d.]+)\s*(KiB|MiB|GiB|KB|MB|GB)\b/.exec(text);
  if (buffer) {
    const fact: EngineBufferFact = { device: buffer[1]!, kind: KIND[buffer[2]!]!, bytes: Math.round(Number(buffer[3]) * UNIT[buffer[4]!]!) };
    // A reload of the same buffer (e.g. after a fit pass) replaces the earlier figure.
    facts.buffers = [...facts.buffers.filter((b) => b.device !== fact.device || b.kind !== fact.kind), fact];
    facts.totals = totals(facts.buffers);
    return true;
  }
  if (/\bmodel loaded\s*$/.test(text)) {
    facts.modelLoaded = true;
    facts.modelLoadedAt = nowIso;
    return true;
  }
  const slots = /n_slots = (\d+), n_ctx_slot = (\d+)/.exec(text);
  if (slots) {
    facts.slots = Number(slots[1]);
    facts.contextPerSlot = Number(slots[2]);
    return true;
  }
  const timing = /\b(prompt eval|eval) time =\s*([\d.]+) ms \/\s*(\d+) tokens .*?([\d.]+) tokens per second/.exec(text);
  if (timing) {
    const rate: TokenRateFact = { ms: Number(timing[2]), tokens: Number(timing[3]), tokensPerSecond: Number(timing[4]) };
    if (timing[1] === 'prompt eval') facts.lastPromptEval = rate;
    else {
      facts.lastEval = rate;
      facts.requestsTimed++;
    }
    return true;
  }
  return false;
}

function totals(buffers: EngineBufferFact[]): EngineFacts['totals'] {
  const sum = (kind: EngineBufferFact['kind']) => buffers.filter((b) => b.kind === kind).reduce((s, b) => s + b.bytes, 0);
  return { modelBytes: sum('model'), kvBytes: sum('kv'), computeBytes: sum('compute') };
}
