// Sizes and device names written for people.
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) >= GiB) return `${(bytes / GiB).toFixed(1)} GiB`;
  return `${Math.round(bytes / MiB)} MiB`;
}

/** "NVIDIA GeForce RTX 2070" → "RTX 2070". */
export function shortGpuName(name: string): string {
  return (
    name
      .replace(/^NVIDIA\s+/i, '')
      .replace(/^GeForce\s+/i, '')
      .trim() || name
  );
}

export function gpuLabel(index: number, name: string): string {
  return `GPU ${index} (${shortGpuName(name)})`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
