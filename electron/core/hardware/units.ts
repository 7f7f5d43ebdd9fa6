// Small value parsers shared by the tool parsers: sizes, "N/A", PCI bus ids, numbers.

export const MIB = 1024 * 1024;

export class ToolOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolOutputError';
  }
}

/** Values tools print for "unknown": N/A, [N/A], [Not Supported], empty, … */
export function isUnknown(value: string | null | undefined): boolean {
  if (value === null || value === undefined) return true;
  const v = value.trim();
  return v === '' || /^\[?(n\/a|not supported|unknown|insufficient permissions|requested functionality has been deprecated)\b/i.test(v);
}

/** A text value or null when the tool says it does not know. */
export function text(value: string | null | undefined): string | null {
  return isUnknown(value) ? null : value!.trim();
}

/** A number from `12`, `12.5`, `45 %`, `39 C`; null when unknown or not a number. */
export function num(value: string | null | undefined): number | null {
  if (isUnknown(value)) return null;
  const m = /^\s*(-?\d+(?:\.\d+)?)/.exec(value!);
  return m ? Number(m[1]) : null;
}

/** Bytes from a MiB count (`24576`, `24576 MiB`); null when unknown. */
export function mibToBytes(value: string | null | undefined): number | null {
  const n = num(value);
  return n === null ? null : Math.round(n * MIB);
}

/** Bytes from a size with a unit (`24576 MiB`, `16 GB`, `512 KiB`, `1234 B`); null when unknown. */
export function sizeToBytes(value: string | null | undefined): number | null {
  if (isUnknown(value)) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B)?\s*$/i.exec(value!);
  if (!m) return null;
  const unit = (m[2] ?? 'B').toUpperCase().replace('I', '');
  const pow = { B: 0, KB: 1, MB: 2, GB: 3, TB: 4 }[unit];
  return pow === undefined ? null : Math.round(Number(m[1]) * 1024 ** pow);
}

/** `00000000:01:00.0` → `00000000:01:00.0`, `0000:07:00.0` → `00000000:07:00.0`, lower case. */
export function pciBusId(value: string | null | undefined): string | null {
  if (isUnknown(value)) return null;
  const m = /^([0-9a-f]{4,8}):([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$/i.exec(value!.trim());
  if (!m) return null;
  return `${m[1]!.padStart(8, '0')}:${m[2]}:${m[3]}.${m[4]}`.toLowerCase();
}

export function uniq<T>(values: T[]): T[] {
  return [...new Set(values)];
}
