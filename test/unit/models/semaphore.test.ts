// The pull semaphore: at most N holders, FIFO waiters, and waiters that give up with a signal.
import { describe, expect, it } from 'vitest';
import { Semaphore } from '../../../electron/core/models/semaphore.js';

describe('Semaphore', () => {
  it('grants N at once and the next in order on release', async () => {
    const s = new Semaphore(2);
    const order: number[] = [];
    const r1 = await s.acquire();
    const r2 = await s.acquire();
    const w3 = s.acquire().then((r) => (order.push(3), r));
    const w4 = s.acquire().then((r) => (order.push(4), r));
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]);
    r1();
    r1(); // a second release of the same grant does nothing
    const r3 = await w3;
    expect(order).toEqual([3]);
    expect(s.running).toBe(2);
    r2();
    (await w4)();
    r3();
    expect(s.running).toBe(0);
  });

  it('drops a waiter whose signal aborts', async () => {
    const s = new Semaphore(1);
    const r1 = await s.acquire();
    const ac = new AbortController();
    const waiting = s.acquire(ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    r1();
    expect(s.running).toBe(0);
    await expect(s.acquire(ac.signal)).rejects.toThrow('stop');
  });
});
