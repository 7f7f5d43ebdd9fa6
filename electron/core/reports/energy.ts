// Energy and cost from recorded samples (pure). GPU energy integrates the measured power draw over
// time (trapezoids per device; a gap longer than MAX_GAP_MS is not bridged: nothing is invented for
// time nobody measured). CPU energy is an estimate, TDP × utilisation, and labelled as one.

/** Samples further apart than this are not integrated across (the app was off, the tool failed). */
export const MAX_GAP_MS = 5 * 60_000;
const WS_PER_KWH = 3_600_000;

export interface PowerSample {
  timeMs: number;
  device: string;
  powerWatts: number | null;
}

/** kWh per device and in total from power samples. */
export function gpuEnergyKwh(samples: PowerSample[], maxGapMs = MAX_GAP_MS): { total: number; byDevice: Record<string, number>; measuredSeconds: number } {
  const byDevice: Record<string, number> = {};
  let measuredMs = 0;
  const devices = new Map<string, PowerSample[]>();
  for (const s of samples) if (s.powerWatts !== null && Number.isFinite(s.powerWatts)) (devices.get(s.device) ?? devices.set(s.device, []).get(s.device)!).push(s);
  for (const [device, list] of devices) {
    list.sort((a, b) => a.timeMs - b.timeMs);
    let ws = 0;
    for (let i = 1; i < list.length; i++) {
      const dt = list[i]!.timeMs - list[i - 1]!.timeMs;
      if (dt <= 0 || dt > maxGapMs) continue;
      ws += ((list[i]!.powerWatts! + list[i - 1]!.powerWatts!) / 2) * (dt / 1000);
      measuredMs += dt;
    }
    byDevice[device] = ws / WS_PER_KWH;
  }
  return { total: Object.values(byDevice).reduce((a, b) => a + b, 0), byDevice, measuredSeconds: measuredMs / 1000 };
}

/** An estimate: the CPU's TDP × its utilisation, integrated like the GPU's power. */
export function cpuEnergyKwhEstimate(samples: { timeMs: number; utilizationPercent: number | null }[], tdpWatts: number, maxGapMs = MAX_GAP_MS): number {
  return gpuEnergyKwh(
    samples.map((s) => ({ timeMs: s.timeMs, device: 'cpu', powerWatts: s.utilizationPercent === null ? null : (tdpWatts * s.utilizationPercent) / 100 })),
    maxGapMs,
  ).total;
}

export interface CostInputs {
  gpuKwh: number;
  cpuKwhEstimate: number;
  pricePerKwh: number;
  /** Hardware cost spread per month (0: none). */
  amortisationPerMonth: number;
  /** The share of the month the report covers (the current month: so far). */
  monthFraction: number;
  tokens: number;
  /** A public API's price per million tokens, for comparison (null: not set). */
  referencePerMillionTokens: number | null;
}

export interface CostFigures {
  energyCost: number;
  amortisation: number;
  total: number;
  /** null without tokens. */
  perMillionTokens: number | null;
  /** What the same tokens would have cost at the reference price. */
  referenceCost: number | null;
}

export function costOf(c: CostInputs): CostFigures {
  const energyCost = (c.gpuKwh + c.cpuKwhEstimate) * c.pricePerKwh;
  const amortisation = c.amortisationPerMonth * c.monthFraction;
  const total = energyCost + amortisation;
  return {
    energyCost,
    amortisation,
    total,
    perMillionTokens: c.tokens > 0 ? (total / c.tokens) * 1e6 : null,
    referenceCost: c.referencePerMillionTokens === null ? null : (c.tokens / 1e6) * c.referencePerMillionTokens,
  };
}
