// The operations store's cost per request on the gateway's thread: recordRequest() (queueing) and
// the batched flush (one transaction per 250 ms), measured for batches of the sizes a busy gateway
// produces. Reports µs per row for each part.
//   npm run bench -- store [--rows N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { OpsStore } from '../dist/electron/core/store/store.js';
import { fmt, median, table } from './lib/stats.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '20000' } } });
const ROWS = Number(values.rows);
const dir = mkdtempSync(join(tmpdir(), 'llama-orch-bench-store-'));
const store = new OpsStore(join(dir, 'ops.sqlite'));
const row = (i: number) => ({
  timeMs: Date.now(),
  deployment: 'bench',
  keyId: `key-${i % 4}`,
  route: '/v1/chat/completions',
  status: 200,
  outcome: 'completed',
  promptTokens: 40,
  completionTokens: 32,
  ttftMs: 12.34,
  tpotMs: 0.5,
  totalMs: 30.5,
});
const rows: (string | number)[][] = [];
try {
  for (const batch of [1, 10, 100, 1000]) {
    const enqueue: number[] = [];
    const flush: number[] = [];
    for (let done = 0; done < ROWS; done += batch) {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) store.recordRequest(row(done + i));
      const t1 = performance.now();
      store.flush();
      const t2 = performance.now();
      enqueue.push(((t1 - t0) * 1000) / batch);
      flush.push(((t2 - t1) * 1000) / batch);
    }
    rows.push([batch, fmt(median(enqueue), 2), fmt(median(flush), 2), fmt(median(enqueue) + median(flush), 2)]);
  }
} finally {
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`${ROWS} request rows per batch size, WAL, synchronous=NORMAL\n`);
console.log(table(['rows per flush', 'recordRequest µs/row', 'flush µs/row', 'total µs/row'], rows));
