// The SLO policy the reports and alerts use, read from the settings' `reports` section.
import type { Settings, SloSettings, SloTargets } from '../../contract/index.js';
import type { SloPolicy } from './report.js';

/** The SLO policy from the settings section. */
export function sloFrom(s: Settings['reports']): SloPolicy {
  const byDeployment = Object.fromEntries(Object.entries(s.deploymentSlos).map(([name, o]) => [name, targets(o)]));
  return { ...(targets(s) as SloTargets), businessHours: s.businessHours, timeZone: s.timeZone, byDeployment };
}

function targets(s: Partial<SloSettings>): Partial<SloTargets> {
  const t: Partial<SloTargets> = {};
  if (s.availabilityTargetPercent !== undefined) t.availabilityPercent = s.availabilityTargetPercent;
  if (s.ttftP95TargetMs !== undefined) t.ttftP95Ms = s.ttftP95TargetMs;
  if (s.errorRateTargetPercent !== undefined) t.errorRatePercent = s.errorRateTargetPercent;
  return t;
}
