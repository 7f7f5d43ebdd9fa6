// Engine flags a deployment adds beyond its placement: its role (embeddings, rerank), its vision
// projector, reproducible mode, and the user's extra flags, checked against an allow-list. Flags the
// core sets itself (host, port, key, model, alias, placement) are refused by name: a deployment
// changes placement through its overrides, where the planner checks them.
import type { Deployment } from '../../contract/index.js';
import { DeploymentError } from './errors.js';

/** Allowed extra flags → whether the flag takes a value. */
const ALLOWED: Record<string, boolean> = {
  '--jinja': false,
  '--no-jinja': false,
  '--chat-template': true,
  '--chat-template-kwargs': true,
  '--reasoning-format': true,
  '--reasoning-budget': true,
  '--rope-scaling': true,
  '--rope-scale': true,
  '--rope-freq-base': true,
  '--rope-freq-scale': true,
  '--yarn-orig-ctx': true,
  '--yarn-ext-factor': true,
  '--yarn-attn-factor': true,
  '--yarn-beta-fast': true,
  '--yarn-beta-slow': true,
  '-b': true,
  '--batch-size': true,
  '-ub': true,
  '--ubatch-size': true,
  '--mlock': false,
  '--no-mmap': false,
  '--cont-batching': false,
  '--no-cont-batching': false,
  '--cache-reuse': true,
  '--swa-full': false,
  '--keep': true,
  '--temp': true,
  '--top-k': true,
  '--top-p': true,
  '--min-p': true,
  '--repeat-penalty': true,
  '--repeat-last-n': true,
  '--presence-penalty': true,
  '--frequency-penalty': true,
  '-n': true,
  '--n-predict': true,
  '--override-kv': true,
  '--spm-infill': false,
  '--no-context-shift': false,
  '--context-shift': false,
  '--slot-save-path': true,
  '-t': true,
  '--threads': true,
};

/** Why a flag is not allowed where there is a better place for it than the reason "not on the list". */
const SET_ELSEWHERE: Record<string, string> = {
  '--host': 'the core binds engines to 127.0.0.1 itself',
  '--port': 'the core picks each engine’s port',
  '--api-key': 'each engine gets a random key from the core',
  '--api-key-file': 'each engine gets a random key from the core',
  '-m': 'set the deployment’s model instead',
  '--model': 'set the deployment’s model instead',
  '--alias': 'set the deployment’s name and aliases instead',
  '--mmproj': 'set the deployment’s mmproj instead',
  '--embeddings': 'set the deployment’s role to embeddings',
  '--embedding': 'set the deployment’s role to embeddings',
  '--reranking': 'set the deployment’s role to rerank',
  '--pooling': 'set the deployment’s pooling instead',
  '-c': 'set overrides.contextSize instead',
  '--ctx-size': 'set overrides.contextSize instead',
  '-np': 'set overrides.parallel instead',
  '--parallel': 'set overrides.parallel instead',
  '-ngl': 'set overrides.nGpuLayers instead',
  '--n-gpu-layers': 'set overrides.nGpuLayers instead',
  '--device': 'set overrides.devices instead',
  '-dev': 'set overrides.devices instead',
  '-ts': 'set overrides.tensorSplit instead',
  '--tensor-split': 'set overrides.tensorSplit instead',
  '-sm': 'set overrides.splitMode instead',
  '--split-mode': 'set overrides.splitMode instead',
  '-mg': 'set overrides.mainGpu instead',
  '--main-gpu': 'set overrides.mainGpu instead',
  '-ctk': 'set overrides.cacheTypeK instead',
  '--cache-type-k': 'set overrides.cacheTypeK instead',
  '-ctv': 'set overrides.cacheTypeV instead',
  '--cache-type-v': 'set overrides.cacheTypeV instead',
  '-fa': 'set overrides.flashAttention instead',
  '--flash-attn': 'set overrides.flashAttention instead',
};

/** Check extra flags: each flag on the allow-list, each value-taking flag followed by its value. */
export function checkExtraFlags(tokens: string[]): string[] {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const [flag, inline] = token.startsWith('--') && token.includes('=') ? [token.slice(0, token.indexOf('=')), true] : [token, false];
    const field = `extraFlags.${i}`;
    if (!flag.startsWith('-')) throw new DeploymentError('flag_not_allowed', `extra flag '${token}' is a value without a flag before it`, field);
    const takesValue = ALLOWED[flag];
    if (takesValue === undefined) {
      const why = SET_ELSEWHERE[flag] ?? `it is not on the allow-list (${Object.keys(ALLOWED).join(', ')})`;
      throw new DeploymentError('flag_not_allowed', `extra flag '${flag}' is not allowed: ${why}`, field);
    }
    if (takesValue && !inline) {
      if (i + 1 >= tokens.length) throw new DeploymentError('flag_not_allowed', `extra flag '${flag}' needs a value`, field);
      i++;
    }
    if (!takesValue && inline) throw new DeploymentError('flag_not_allowed', `extra flag '${flag}' takes no value`, field);
  }
  return tokens;
}

/** The engine flags a deployment's role, projector, reproducible mode and extra flags add. */
export function deploymentFlags(d: Pick<Deployment, 'role' | 'pooling' | 'mmproj' | 'reproducible' | 'extraFlags'>): string[] {
  const out: string[] = [];
  // Chat engines render requests through the model's own Jinja template, which is what passes
  // `tools`/`tool_choice` to the model (the default of recent llama-server builds; older ones need the
  // flag). It comes before the user's flags, so an extra `--no-jinja` still wins.
  if (d.role === 'chat') out.push('--jinja');
  if (d.role === 'embeddings') out.push('--embeddings', '--pooling', d.pooling ?? 'mean');
  if (d.role === 'rerank') out.push('--reranking');
  if (d.mmproj) out.push('--mmproj', d.mmproj);
  // One slot (set through the plan) and a fixed batch: a seeded request gives the same tokens every time.
  if (d.reproducible) out.push('-b', '512', '-ub', '512');
  out.push(...d.extraFlags);
  return out;
}
