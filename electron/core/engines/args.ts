// Turns a launch plan into llama-server argv. With a placement plan every memory-relevant choice is
// explicit (devices, layers, split, context, slots, KV cache types, flash attention) and `--fit off`
// stops the engine from re-planning on its own: what the planner promised is what gets allocated.
import type { PlacementPlan } from '../../contract/placement.js';

export interface LaunchPlan {
  modelPath: string;
  /** Name the engine reports back (`model` in responses). */
  alias: string;
  /** Where and how to load the model; without it the engine's own defaults apply. */
  placement?: PlacementPlan;
  /** Without a placement plan: the engine's `-c` (total tokens over all slots). */
  contextSize?: number;
  parallel?: number;
  seed?: number;
  extra?: string[];
}

/** The placement part of argv (no model path, host or port). */
export function placementArgs(p: PlacementPlan): string[] {
  const gpus = p.engineDevices;
  // `--rpc` first: the engine registers the workers' devices (RPC0, …) before `--device` names them.
  const rpc = p.rpcServers && p.rpcServers.length > 0 ? ['--rpc', p.rpcServers.join(',')] : [];
  const args = [...rpc, '--device', gpus.length > 0 ? gpus.join(',') : 'none', '-ngl', String(gpus.length > 0 ? p.nGpuLayers : 0)];
  if (gpus.length > 1) {
    args.push('-sm', p.splitMode);
    if (p.tensorSplit) args.push('-ts', p.tensorSplit.join(','));
  }
  if (gpus.length > 0) args.push('-mg', String(p.mainGpu));
  args.push('-c', String(p.contextSize * p.parallel), '-np', String(p.parallel), '-ctk', p.cacheTypeK, '-ctv', p.cacheTypeV, '-fa', p.flashAttention, '--fit', 'off', '-t', String(p.threads));
  return args;
}

/**
 * Connections the gateway keeps open to each engine ahead of requests (api/engine-client.ts). An
 * idle one holds one of llama-server's HTTP threads, so engines get this many threads on top of
 * llama-server's own default of slots + 2 (the 2 for health and metrics): a spare never keeps a
 * health check or a request waiting for a thread.
 */
export const GATEWAY_SPARE_CONNECTIONS = 4;

export function planToArgs(plan: LaunchPlan): string[] {
  const args = ['-m', plan.modelPath, '--alias', plan.alias, '--no-webui', '--metrics'];
  if (plan.placement) args.push(...placementArgs(plan.placement));
  else {
    if (plan.contextSize !== undefined) args.push('-c', String(plan.contextSize));
    if (plan.parallel !== undefined) args.push('-np', String(plan.parallel));
  }
  const slots = plan.placement?.parallel ?? plan.parallel;
  if (slots !== undefined) args.push('--threads-http', String(slots + 2 + GATEWAY_SPARE_CONNECTIONS));
  if (plan.seed !== undefined) args.push('--seed', String(plan.seed));
  if (plan.extra) args.push(...plan.extra);
  return args;
}
