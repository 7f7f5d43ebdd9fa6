// Derived settings views.
import type { EngineInfo, EngineLicense, Settings } from '../../../../electron/contract/index.js';

export function isLanEnabled(s: Settings): boolean {
  const h = s.api.host;
  return !(h === '127.0.0.1' || h === 'localhost' || h === '::1' || h.startsWith('127.'));
}

export function linesToList(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((l) => l.trim())
    .filter(Boolean);
}

/** An engine's licence for people: the SPDX id and how it is known. */
export function engineLicenseText(l: EngineLicense | null): string {
  if (!l || l.spdx === null) return 'unknown';
  if (l.basis === 'file') return `${l.spdx} (licence file in the archive)`;
  return `${l.spdx} (llama.cpp's licence; the archive has no licence file)`;
}

/** What the About section says of each engine build: release, commit, variant, digest, origin. */
export function engineProvenance(e: EngineInfo): { label: string; value: string }[] {
  return [
    { label: 'Release', value: e.tag ?? 'unknown' },
    { label: 'Commit', value: e.commit ?? 'unknown' },
    { label: 'Build', value: e.variant ?? 'copied in by hand' },
    { label: 'Archive sha256', value: e.digest ?? 'unknown' },
    { label: 'From', value: e.source?.archives[0]?.url ?? e.source?.location ?? 'unknown' },
    { label: 'Licence', value: engineLicenseText(e.license) },
  ];
}

/** The Service levels form: text fields as typed, turned into a settings patch by `serviceLevelsPatch`. */
export interface ServiceLevelsForm {
  availability: string;
  ttftMs: string;
  errorRate: string;
  allWeek: boolean;
  days: number[];
  from: string;
  to: string;
  timeZone: string;
  overrides: { deployment: string; availability: string; ttftMs: string; errorRate: string }[];
  webhookUrl: string;
  pricePerKwh: string;
  amortisation: string;
  referencePrice: string;
  cpuTdp: string;
  currency: string;
}

export function serviceLevelsForm(r: Settings['reports']): ServiceLevelsForm {
  const text = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));
  return {
    availability: text(r.availabilityTargetPercent),
    ttftMs: text(r.ttftP95TargetMs),
    errorRate: text(r.errorRateTargetPercent),
    allWeek: r.businessHours === null,
    days: r.businessHours?.days ?? [1, 2, 3, 4, 5],
    from: r.businessHours?.from ?? '08:00',
    to: r.businessHours?.to ?? '18:00',
    timeZone: r.timeZone,
    overrides: Object.entries(r.deploymentSlos).map(([deployment, o]) => ({
      deployment,
      availability: text(o.availabilityTargetPercent),
      ttftMs: text(o.ttftP95TargetMs),
      errorRate: text(o.errorRateTargetPercent),
    })),
    webhookUrl: r.webhookUrl ?? '',
    pricePerKwh: text(r.pricePerKwh),
    amortisation: text(r.amortisationPerMonth),
    referencePrice: text(r.referencePricePerMillionTokens),
    cpuTdp: text(r.cpuTdpWatts),
    currency: r.currency,
  };
}

/**
 * The form as a settings patch. Empty optional fields are null; an empty override field is left
 * out (the global target applies). Numbers are sent as typed: the core validates and names a bad one.
 */
export function serviceLevelsPatch(f: ServiceLevelsForm): Partial<Settings['reports']> {
  const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));
  const orNull = (s: string) => (s.trim() === '' ? null : Number(s));
  const deploymentSlos: Settings['reports']['deploymentSlos'] = {};
  for (const o of f.overrides) {
    const name = o.deployment.trim();
    if (!name) continue;
    const own: Settings['reports']['deploymentSlos'][string] = {};
    if (o.availability.trim()) own.availabilityTargetPercent = Number(o.availability);
    if (o.ttftMs.trim()) own.ttftP95TargetMs = Number(o.ttftMs);
    if (o.errorRate.trim()) own.errorRateTargetPercent = Number(o.errorRate);
    deploymentSlos[name] = own;
  }
  return {
    availabilityTargetPercent: num(f.availability),
    ttftP95TargetMs: num(f.ttftMs),
    errorRateTargetPercent: num(f.errorRate),
    businessHours: f.allWeek ? null : { days: [...f.days].sort(), from: f.from, to: f.to },
    timeZone: f.timeZone.trim(),
    deploymentSlos,
    webhookUrl: f.webhookUrl.trim() || null,
    pricePerKwh: num(f.pricePerKwh),
    amortisationPerMonth: num(f.amortisation),
    referencePricePerMillionTokens: orNull(f.referencePrice),
    cpuTdpWatts: orNull(f.cpuTdp),
    currency: f.currency.trim(),
  };
}
