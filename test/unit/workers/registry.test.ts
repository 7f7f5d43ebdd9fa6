// The workers registry (file store, health checks, devices for the planner) with a fake status seam,
// and the rpc-server banner parser against the real binary's output.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerStatus } from '../../../electron/contract/workers.js';
import { applyRpcLine, emptyRpcView } from '../../../electron/core/workers/rpc-banner.js';
import { WorkerRegistry, type FetchStatus } from '../../../electron/core/workers/registry.js';
import { tempDir } from '../../helpers/tmp.js';

const MiB = 1024 * 1024;
// Captured from the test engine's rpc-server (stdout, one block: it flushes at the first connection).
const BANNER = `Starting RPC server v7.0.0
  endpoint       : 127.0.0.1:50777
  local cache    : n/a
Devices:
  CPU: AMD EPYC (24105 MiB, 24105 MiB free)
  transport      : TCP
Accepted client connection`;

const ready = (over: Partial<WorkerStatus> = {}): WorkerStatus => ({
  version: '0.1.0',
  endpoint: '10.0.0.2:50052',
  state: 'ready',
  reason: null,
  restarts: 0,
  devices: [{ id: 'CUDA0', name: 'RTX 3090', kind: 'gpu', totalBytes: 24576 * MiB, freeBytes: 24000 * MiB }],
  clientConnected: false,
  ...over,
});

describe('rpc-server banner', () => {
  it('reads the devices with their memory, and whether a client is connected', () => {
    const view = emptyRpcView();
    for (const line of BANNER.split('\n')) applyRpcLine(view, line);
    expect(view.devices).toEqual([{ id: 'CPU', name: 'AMD EPYC', kind: 'cpu', totalBytes: 24105 * MiB, freeBytes: 24105 * MiB }]);
    expect(view).toMatchObject({ listening: true, clientConnected: true });
    applyRpcLine(view, 'Client connection closed');
    expect(view.clientConnected).toBe(false);
    // A restart prints the banner again: the devices are those of the new process.
    applyRpcLine(view, 'Starting RPC server v7.0.0');
    expect(view.devices).toEqual([]);
  });
});

describe('workers registry', () => {
  const dirs: { path: string; cleanup(): void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
  const registry = (fetch: FetchStatus = async () => ready()) => {
    const d = tempDir();
    dirs.push(d);
    return { reg: new WorkerRegistry(join(d.path, 'workers.json'), fetch, () => new Date('2026-12-04T20:00:00Z')), dir: d.path };
  };

  it('adds a worker with the status port next to the RPC port, refuses duplicates and bad addresses by field, and removes it', () => {
    const { reg, dir } = registry();
    expect(reg.add({ address: '10.0.0.2:50052' })).toEqual({ address: '10.0.0.2:50052', statusPort: 50053, addedAt: '2026-12-04T20:00:00.000Z' });
    expect(() => reg.add({ address: '10.0.0.2:50052' })).toThrow(/already registered/);
    expect(() => reg.add({ address: '10.0.0.3' })).toThrow(/field `address`: must be host:port/);
    expect(() => reg.add({ address: '10.0.0.3:70000' })).toThrow(/port must be 1–65535/);
    expect(JSON.parse(readFileSync(join(dir, 'workers.json'), 'utf8'))).toMatchObject({ schemaVersion: 1, workers: [{ address: '10.0.0.2:50052' }] });
    // Another process (the CLI) reads the same file.
    expect(new WorkerRegistry(join(dir, 'workers.json')).list()).toHaveLength(1);
    expect(reg.remove('10.0.0.2:50052')).toBe(true);
    expect(reg.remove('10.0.0.2:50052')).toBe(false);
  });

  it('keeps a corrupt workers file aside and reports it instead of replacing it', () => {
    const { reg, dir } = registry();
    writeFileSync(join(dir, 'workers.json'), '{"schemaVersion":1,"workers":[{"address":"nope"}]');
    expect(reg.list()).toEqual([]);
    expect(reg.problems[0]).toMatch(/is not valid JSON.*kept aside as .*workers\.json\.corrupt-/);
    expect(readdirSync(dir).some((f) => f.startsWith('workers.json.corrupt-'))).toBe(true);
    expect(existsSync(join(dir, 'workers.json'))).toBe(false);
  });

  it('health-checks: online with devices, offline with the reason (keeping the devices it had), busy when another engine is connected', async () => {
    let answer: WorkerStatus | Error = ready();
    const { reg } = registry(async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    });
    reg.add({ address: '10.0.0.2:50052' });
    expect(reg.views()[0]!.health).toBe('unknown');
    const [online] = await reg.check();
    expect(online).toMatchObject({ health: 'online', reason: null, devices: [{ id: 'CUDA0' }] });
    expect(reg.remoteDevices()).toEqual([
      { worker: '10.0.0.2:50052', id: 'CUDA0', position: 0, workerDevices: 1, name: 'RTX 3090', kind: 'gpu', totalBytes: 24576 * MiB, freeBytes: 24000 * MiB, usable: true, reason: null },
    ]);

    answer = ready({ clientConnected: true });
    await reg.check();
    expect(reg.remoteDevices()[0]).toMatchObject({ usable: false, reason: expect.stringMatching(/in use by another engine/) });

    answer = Object.assign(new Error('connect ECONNREFUSED 10.0.0.2:50053'), {});
    const [offline] = await reg.check();
    expect(offline).toMatchObject({ health: 'offline', reason: 'status endpoint 10.0.0.2:50053 unreachable (connect ECONNREFUSED 10.0.0.2:50053)', devices: [{ id: 'CUDA0' }] });
    expect(reg.remoteDevices()[0]).toMatchObject({ usable: false, reason: expect.stringMatching(/unreachable/) });

    answer = ready({ state: 'starting', reason: 'engine exited (code 1)' });
    expect((await reg.check())[0]).toMatchObject({ health: 'offline', reason: 'its rpc-server is starting: engine exited (code 1)' });
  });
});
