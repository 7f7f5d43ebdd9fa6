// Deciding whether two tools (or a tool and the engine) describe the same GPU.

const NOISE = /\b(nvidia|amd|ati|intel|apple|corporation|corp|inc|advanced micro devices|\(r\)|\(tm\)|graphics|gpu)\b/g;

/** Lower-case words of a device name without vendor words and punctuation. */
export function nameWords(name: string): string[] {
  return name
    .toLowerCase()
    .replace(/\((r|tm)\)/g, ' ')
    .replace(NOISE, ' ')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Same device name: after dropping vendor words, one name's words all appear in the other's. */
export function namesMatch(a: string, b: string): boolean {
  const wa = nameWords(a);
  const wb = nameWords(b);
  if (wa.length === 0 || wb.length === 0) return false;
  const [short, long] = wa.length <= wb.length ? [wa, wb] : [wb, wa];
  const set = new Set(long);
  return short.every((w) => set.has(w));
}

/**
 * Same memory size, allowing for what the reporting API leaves out (CUDA reports the framebuffer
 * minus a driver reservation, a few hundred MiB): within 10 % or 1 GiB. Unknown sizes never conflict.
 */
export function memoryClose(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return true;
  return Math.abs(a - b) <= Math.max(1024 ** 3, 0.1 * Math.max(a, b));
}

/** Names that cannot be the same card: both carry model numbers and share none (RTX 3080 vs RTX 4080). */
export function namesContradict(a: string, b: string): boolean {
  const numbers = (n: string) => new Set(nameWords(n).filter((w) => /\d/.test(w)));
  const na = numbers(a);
  const nb = numbers(b);
  return na.size > 0 && nb.size > 0 && ![...na].some((w) => nb.has(w));
}
