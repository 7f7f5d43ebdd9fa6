// Statistics and the round-alternation harness every benchmark uses: machines here are shared and
// single runs swing ±25 %, so a candidate is always measured against its baseline in the same run,
// alternating, and reported as the median ratio with its spread.

export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export const median = (v: number[]): number => quantile(v, 0.5);

export interface RatioSummary {
  rounds: number;
  baselineMedian: number;
  candidateMedian: number;
  /** median of per-round candidate/baseline ratios */
  ratio: number;
  /** interquartile range of the per-round ratios */
  ratioP25: number;
  ratioP75: number;
}

/**
 * Run `baseline` and `candidate` alternately for `rounds` rounds (order flipped every round) and
 * summarise the per-round ratio candidate/baseline of the measured values.
 */
export async function alternate(rounds: number, baseline: () => Promise<number>, candidate: () => Promise<number>): Promise<RatioSummary & { baseline: number[]; candidate: number[] }> {
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      b.push(await baseline());
      c.push(await candidate());
    } else {
      c.push(await candidate());
      b.push(await baseline());
    }
  }
  const ratios = c.map((v, i) => v / b[i]!);
  return {
    rounds,
    baseline: b,
    candidate: c,
    baselineMedian: median(b),
    candidateMedian: median(c),
    ratio: median(ratios),
    ratioP25: quantile(ratios, 0.25),
    ratioP75: quantile(ratios, 0.75),
  };
}

export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : String(n);
}

/** Print a Markdown table (what goes into the issue note). */
export function table(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}
