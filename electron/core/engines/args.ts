// Turns a launch plan into llama-server argv. The placement planner produces richer plans; until a
// plan says otherwise the engine's own defaults apply.
export interface LaunchPlan {
  modelPath: string;
  /** Name the engine reports back (`model` in responses). */
  alias: string;
  contextSize?: number;
  parallel?: number;
  seed?: number;
  extra?: string[];
}

export function planToArgs(plan: LaunchPlan): string[] {
  const args = ['-m', plan.modelPath, '--alias', plan.alias, '--no-webui', '--metrics'];
  if (plan.contextSize !== undefined) args.push('-c', String(plan.contextSize));
  if (plan.parallel !== undefined) args.push('-np', String(plan.parallel));
  if (plan.seed !== undefined) args.push('--seed', String(plan.seed));
  if (plan.extra) args.push(...plan.extra);
  return args;
}
