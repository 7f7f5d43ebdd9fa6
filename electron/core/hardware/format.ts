// The human-readable view of a snapshot (`llama-orch hardware` without --json).
import type { EngineDevice, HardwareSnapshot } from '../../contract/index.js';

export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '?';
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

const flag = (v: boolean | null) => (v === null ? '?' : v ? 'yes' : 'no');

function columns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatSnapshot(s: HardwareSnapshot, engineDevices?: EngineDevice[]): string {
  const c = s.cpu;
  const simd = c.arch === 'arm64' || c.arch === 'arm' ? `NEON ${flag(c.neon)}` : `AVX ${flag(c.avx)}, AVX2 ${flag(c.avx2)}, AVX-512 ${flag(c.avx512)}`;
  const out = [
    `CPU     ${c.brand ?? 'unknown'} (${c.arch}), ${c.cores ?? '?'} cores / ${c.threads} threads, ${simd}`,
    `Memory  ${formatBytes(s.memory.totalBytes)} total, ${formatBytes(s.memory.availableBytes)} available`,
  ];
  if (s.gpus.length === 0) out.push('GPUs    none detected');
  else {
    const rows = [['#', 'vendor', 'name', 'total', 'free', 'driver', 'CUDA', 'compute', 'backends', 'PCI bus']];
    for (const g of s.gpus) {
      rows.push([
        String(g.index),
        g.vendor,
        g.name + (g.migEnabled ? ' [MIG]' : ''),
        formatBytes(g.vramTotalBytes) + (g.unifiedMemory ? ' (unified)' : ''),
        formatBytes(g.vramFreeBytes),
        g.driverVersion ?? '?',
        g.cudaVersion ?? '-',
        g.computeCapability ?? '?',
        g.backends.join(',') || '-',
        g.pciBusId ?? '?',
      ]);
    }
    out.push('', columns(rows));
  }
  if (engineDevices) {
    out.push('', 'Engine devices (llama-server --list-devices):');
    if (engineDevices.length === 0) out.push('  none (CPU only)');
    for (const d of engineDevices) out.push(`  ${d.id}: ${d.name} (${formatBytes(d.totalBytes)}, ${formatBytes(d.freeBytes)} free) → ${d.gpuIndex === null ? 'no detected GPU' : `GPU ${d.gpuIndex}`}`);
  }
  out.push('', `Sources: ${s.sources.join(', ') || 'none'}`);
  if (s.warnings.length > 0) out.push('Warnings:', ...s.warnings.map((w) => `  - ${w.source}: ${w.message}`));
  return `${out.join('\n')}\n`;
}
