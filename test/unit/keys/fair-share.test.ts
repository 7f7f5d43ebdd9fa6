// Admission's fair share between keys, driven synchronously: one key's burst does not make another
// key's single request wait behind all of it, and no slot stays idle while anyone waits.
import { describe, expect, it } from 'vitest';
import { Admission } from '../../../electron/core/api/admission.js';

/** Requests admitted so far, in order, by label. */
function harness(slots: number) {
  const admission = new Admission(() => 100);
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const ask = (owner: string, label: string) =>
    void admission.acquire('m', slots, undefined, owner).then((release) => {
      started.push(label);
      releases.set(label, release);
    });
  const flush = () => new Promise((r) => setImmediate(r));
  return { admission, started, releases, ask, flush };
}

describe('Admission fair share', () => {
  it("gives the next free slot to a second key's request instead of the first key's queued burst", async () => {
    const h = harness(4);
    for (let i = 0; i < 16; i++) h.ask('a', `a${i}`);
    await h.flush();
    h.ask('b', 'b0');
    await h.flush();
    expect(h.started).toEqual(['a0', 'a1', 'a2', 'a3']);
    h.releases.get('a0')!();
    await h.flush();
    expect(h.started.at(-1)).toBe('b0');
    // b now runs one of its share of 2; with b's queue empty the burst takes every freed slot again.
    h.releases.get('a1')!();
    await h.flush();
    expect(h.started.at(-1)).toBe('a4');
    expect(h.admission.running('m')).toBe(4);
  });

  it('stays first-in first-out for a single key (and for the key-less loopback mode)', async () => {
    const h = harness(1);
    for (let i = 0; i < 5; i++) h.ask('', `r${i}`);
    await h.flush();
    for (let i = 0; i < 4; i++) {
      h.releases.get(`r${i}`)!();
      await h.flush();
    }
    expect(h.started).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  it('shares slots between three keys in turn while all wait', async () => {
    const h = harness(3);
    for (let i = 0; i < 6; i++) h.ask('a', `a${i}`);
    await h.flush();
    h.ask('b', 'b0');
    h.ask('b', 'b1');
    h.ask('c', 'c0');
    await h.flush();
    for (const id of ['a0', 'a1', 'a2']) {
      h.releases.get(id)!();
      await h.flush();
    }
    // One slot each: b and c get theirs first, then a is under its share again (b1 waits its turn).
    expect(h.started.slice(3)).toEqual(['b0', 'c0', 'a3']);
  });
});

describe('Admission fair share of a full queue', () => {
  it("makes room for another key's request by refusing the newest waiter of the key that filled the queue", async () => {
    const admission = new Admission(() => 4);
    const outcomes: string[] = [];
    const ask = (owner: string, label: string) =>
      admission.acquire('m', 1, undefined, owner).then(
        () => outcomes.push(`${label} started`),
        (err: { code?: string }) => outcomes.push(`${label} ${err.code}`),
      );
    for (let i = 0; i < 5; i++) void ask('a', `a${i}`); // 1 running + 4 queued: full
    void ask('a', 'a5');
    void ask('b', 'b0');
    await new Promise((r) => setImmediate(r));
    expect(outcomes).toEqual(['a0 started', 'a5 queue_full', 'a4 queue_full']);
    expect(admission.queued('m')).toBe(4);
    // b now holds one place; a second request of b still fits by the same rule (3 vs 1), a third does not.
    void ask('b', 'b1');
    void ask('b', 'b2');
    await new Promise((r) => setImmediate(r));
    expect(outcomes.slice(3)).toEqual(['a3 queue_full', 'b2 queue_full']);
  });
});
