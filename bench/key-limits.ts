// What checking a key's limits costs per request, without the noise of a whole request: the
// allow-list, token quotas and requests-per-minute bucket (KeyPolicy.admit) plus counting the
// request's tokens (record), for a key with every limit and for a key with none. Complements
// `npm run bench -- gateway --limits`, which measures the same end to end through the gateway.
//   npm run bench -- key-limits [--requests N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KeyPolicy } from '../dist/electron/core/api/key-policy.js';
import { KeyStore } from '../dist/electron/core/security/keys.js';
import { fmt, median } from './lib/stats.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '200000' } } });
const N = Number(values.requests);
const dir = mkdtempSync(join(tmpdir(), 'llama-orch-bench-keys-'));
try {
  const store = new KeyStore(join(dir, 'keys.json'));
  const policy = new KeyPolicy(store);
  const callerOf = (key: string) => {
    const k = store.check(key)!;
    return { kind: 'key' as const, scope: k.scope, keyId: k.id, limits: k.limits };
  };
  const limited = callerOf(store.create('limited', 'inference', { models: ['bench'], expiresAt: '2099-12-31', rpm: 1_000_000_000, tokensPerDay: 1e12, tokensPerMonth: 1e12 }).key);
  const plain = callerOf(store.create('plain', 'inference').key);
  const res = { setHeader() {} } as unknown as import('node:http').ServerResponse;
  const model = { id: 'bench', object: 'model' as const, created: 0, owned_by: 'bench', state: 'loaded' as const, aliases: [] };
  const perRequest = (caller: typeof plain) => {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      policy.admit(caller, res, () => model);
      policy.record(caller, 100);
    }
    return ((performance.now() - t0) * 1000) / N;
  };
  const withLimits: number[] = [];
  const without: number[] = [];
  for (let round = 0; round < 7; round++) {
    withLimits.push(perRequest(limited));
    without.push(perRequest(plain));
  }
  console.log(`${N} requests per round, 7 rounds, median per request:`);
  console.log(`  key with allow-list, expiry, rpm and day/month token quotas: ${fmt(median(withLimits), 2)} µs`);
  console.log(`  key without limits:                                          ${fmt(median(without), 2)} µs`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
