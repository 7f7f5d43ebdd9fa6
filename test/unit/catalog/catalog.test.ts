// The first-run catalogue against the real planner on the hardware fixtures: every entry gets a
// verdict, and the recommendation is what a person would pick for that machine.
import { describe, expect, it } from 'vitest';
import { catalogFor, estimatorInputOf, loadCatalog } from '../../../electron/core/catalog/catalog.js';
import { machine } from '../../helpers/machines.js';

const catalog = loadCatalog();

describe('first-run catalogue', () => {
  it('parses, with unique ids and a size, licence, roles and context for every entry', () => {
    expect(new Set(catalog.map((e) => e.id)).size).toBe(catalog.length);
    for (const e of catalog) expect(e.sizeBytes > 0 && e.licence && e.roles.length > 0 && e.context >= 512).toBeTruthy();
  });

  it('estimates a catalogue model close to its file size (bytes shared out by parameter count)', () => {
    for (const e of catalog) {
      const m = estimatorInputOf(e);
      const total = m.layers.reduce((s, l) => s + l.weightBytes, 0) + m.inputBytes + m.outputBytes;
      expect(Math.abs(total - e.sizeBytes) / e.sizeBytes).toBeLessThan(0.01);
    }
  });

  it("recommends an 8B Q4 on a 24 GB GPU and rules the 70B out with the planner's reason", () => {
    const { verdicts, recommended } = catalogFor(machine('rtx-3090', 64), catalog);
    expect(verdicts).toHaveLength(catalog.length);
    expect(recommended).toBe('llama-3.1-8b-instruct-q4_k_m');
    const big = verdicts.find((v) => v.entry.id === 'llama-3.3-70b-instruct-q4_k_m')!;
    expect(big.fit === null || big.fit === 'partial' || big.fit === 'cpu').toBe(true);
    expect(big.fit === null ? big.reason : 'offloaded').toBeTruthy();
    for (const v of verdicts.filter((x) => x.entry.params <= 8)) expect(v.fit).toBe('gpu');
  });

  it('recommends at most a 3B model on a laptop without a GPU', () => {
    const { verdicts, recommended } = catalogFor(machine('no-gpu', 16, 12), catalog);
    expect(recommended).toBe('llama-3.2-3b-instruct-q4_k_m');
    expect(verdicts.find((v) => v.entry.id === 'llama-3.2-3b-instruct-q4_k_m')!.fit).toBe('cpu');
    // The 70B does not fit in 16 GB of RAM at all, and the planner says why.
    const big = verdicts.find((v) => v.entry.id === 'llama-3.3-70b-instruct-q4_k_m')!;
    expect(big.fit).toBeNull();
    expect(big.reason).toMatch(/GiB/);
  });

  it('recommends the 70B on an 80 GB H100', () => {
    expect(catalogFor(machine('h100', 256), catalog).recommended).toBe('llama-3.3-70b-instruct-q4_k_m');
  });
});
