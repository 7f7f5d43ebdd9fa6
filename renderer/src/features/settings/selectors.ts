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
