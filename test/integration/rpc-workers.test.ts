// RPC workers end to end with real processes on 127.0.0.1: `llama-orch worker` runs the engine's
// rpc-server, `llama-orch serve` registers it, plans stories260K over its own CPU and the worker when
// a local RAM limit leaves too little here, and answers a seeded request exactly like the single-machine
// plan. Killing the worker mid-stream ends the stream with an error event; the deployment is planned
// again (refused with the reason while the worker is gone, split again once it is back).
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIAGNOSTICS_ROUTE, type HardwareResponse, type InstanceInfo, type WorkerListResponse, type WorkerStatus } from '../../electron/contract/index.js';
import { freePort } from '../../electron/core/util/net.js';
import { chatContent, readSse, testEnginePath } from '../helpers/engine.js';
import { CLI, STORIES_MODEL } from '../helpers/paths.js';
import { isAlive, waitFor } from '../helpers/processes.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

const SEEDED = { messages: [{ role: 'user' as const, content: 'Once upon a time' }], max_tokens: 48, temperature: 0, seed: 42 };
/** Below the ~5.9 MiB the whole model needs on the CPU with one slot: some layers must go to the worker. */
const LOCAL_RAM_LIMIT_MIB = 5;

interface Worker {
  proc: ChildProcess;
  output: string[];
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function startWorker(dataDir: string, rpcPort: number, statusPort: number, extra: string[] = []): Promise<Worker> {
  const proc = spawn(
    process.execPath,
    [CLI, 'worker', '--port', String(rpcPort), '--status-port', String(statusPort), '--engine', testEnginePath(), '--data-dir', dataDir, '--threads', '1', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  for (const s of [proc.stdout!, proc.stderr!]) createInterface({ input: s }).on('line', (l) => output.push(l));
  let exited = false;
  const exit = new Promise<void>((r) => proc.on('exit', () => ((exited = true), r())));
  await waitFor(() => exited || output.some((l) => l.includes('rpc-server listening on')), 'the worker to listen', 30_000).catch((err: Error) => {
    proc.kill('SIGKILL');
    throw new Error(`${err.message}\n${output.join('\n')}`);
  });
  if (exited) throw new Error(`llama-orch worker exited:\n${output.join('\n')}`);
  return {
    proc,
    output,
    async stop(signal = 'SIGTERM') {
      if (!exited && proc.pid && isAlive(proc.pid)) proc.kill(signal);
      await exit;
    },
  };
}

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(process.execPath, [CLI, ...args], (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })));
}

/** The rpc-server's pid from the worker's pidfile. */
function rpcServerPid(dataDir: string, rpcPort: number): number {
  return (JSON.parse(readFileSync(join(dataDir, 'run', `worker-${rpcPort}.pid.json`), 'utf8')) as { pid: number }).pid;
}

const hasUnzip = spawnSync('unzip', ['-v']).status === 0;
if (!hasUnzip) console.warn('rpc-workers: the diagnostics check is skipped, the `unzip` tool is not installed to read the bundle back');

describe('RPC workers', () => {
  const workerData = tempDir();
  const mainData = tempDir();
  let worker: Worker | undefined;
  let serve: ServeHandle | undefined;
  let rpcPort = 0;
  let statusPort = 0;
  let admin: (path: string, init?: RequestInit) => Promise<Response>;
  const chat = (model: string, extra: Record<string, unknown> = {}) =>
    fetch(`${serve!.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model, ...SEEDED, ...extra }) });
  const instanceOf = async (name: string) => ((await (await admin('/api/v1/instances')).json()) as { data: InstanceInfo[] }).data.find((i) => i.id === name);

  beforeAll(async () => {
    rpcPort = await freePort();
    statusPort = await freePort();
    worker = await startWorker(workerData.path, rpcPort, statusPort);
    serve = await startServe(['--engine', testEnginePath(), '--data-dir', mainData.path]);
    const { adminToken } = JSON.parse(readFileSync(join(mainData.path, 'run', 'core.json'), 'utf8')) as { adminToken: string };
    admin = (path, init = {}) => fetch(`${serve!.url}${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' } });
  });

  afterAll(async () => {
    await serve?.stop();
    await worker?.stop();
    mainData.cleanup();
    workerData.cleanup();
  });

  it('runs rpc-server on 127.0.0.1 and reports its devices and free memory on the status endpoint', async () => {
    const status = (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as WorkerStatus;
    expect(status).toMatchObject({ endpoint: `127.0.0.1:${rpcPort}`, state: 'ready', clientConnected: false });
    expect(status.devices).toEqual([expect.objectContaining({ id: 'CPU', kind: 'cpu', totalBytes: expect.any(Number), freeBytes: expect.any(Number) })]);
    expect(status.devices[0]!.freeBytes!).toBeGreaterThan(0);
    // Loopback only: no security warning printed; the pidfile names the rpc-server.
    expect(worker!.output.join('\n')).not.toMatch(/warning: RPC traffic/);
    expect(isAlive(rpcServerPid(workerData.path, rpcPort))).toBe(true);
  });

  it('restarts a crashed rpc-server with backoff under the same port, with a new pidfile', async () => {
    const before = rpcServerPid(workerData.path, rpcPort);
    process.kill(before, 'SIGKILL');
    const status = await waitFor(
      async () => {
        const s = (await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as WorkerStatus;
        return s.state === 'ready' && s.restarts >= 1 && s.devices.length > 0 ? s : null;
      },
      'the worker to restart rpc-server',
      30_000,
      100,
    );
    expect(status.endpoint).toBe(`127.0.0.1:${rpcPort}`);
    await waitFor(() => rpcServerPid(workerData.path, rpcPort) !== before, 'a new pidfile');
    expect(isAlive(rpcServerPid(workerData.path, rpcPort))).toBe(true);
  });

  it('manages workers from the CLI (add, list with health and memory, remove) and refuses to listen on every interface', async () => {
    const cliData = tempDir();
    try {
      const add = await cli('workers', 'add', `127.0.0.1:${rpcPort}`, '--status-port', String(statusPort), '--data-dir', cliData.path);
      expect(add.code).toBe(0);
      expect(add.stdout).toMatch(new RegExp(`added worker 127\\.0\\.0\\.1:${rpcPort}`));
      expect(add.stdout).toMatch(/neither authenticated nor encrypted/);
      const list = await cli('workers', 'list', '--data-dir', cliData.path);
      expect(list.stdout).toMatch(new RegExp(`127\\.0\\.0\\.1:${rpcPort}  online\\n    CPU .*: .* free of `));
      if (hasUnzip) {
        // `diagnose` asks the worker now: the bundle says it is online, with its devices.
        const zip = join(cliData.path, 'diag.zip');
        expect((await cli('diagnose', '--out', zip, '--data-dir', cliData.path)).code).toBe(0);
        const workers = JSON.parse(execFileSync('unzip', ['-p', zip, 'workers.json'], { encoding: 'utf8' })) as unknown;
        expect(workers).toEqual([expect.objectContaining({ address: `127.0.0.1:${rpcPort}`, health: 'online', devices: [expect.objectContaining({ id: 'CPU' })] })]);
      }
      expect((await cli('workers', 'add', 'no-port', '--data-dir', cliData.path)).code).toBe(2);
      // `plan` counts the registered workers: under a RAM limit here, part of the model goes to the worker.
      const planned = await cli('plan', STORIES_MODEL, '--parallel', '1', '--local-ram-mib', String(LOCAL_RAM_LIMIT_MIB), '--data-dir', cliData.path);
      expect(planned.code).toBe(0);
      expect(planned.stdout).toContain(`--rpc 127.0.0.1:${rpcPort} --device RPC0 -ngl `);
      expect(planned.stdout).toMatch(/note: split over machines: 2 machine boundaries per token: ~[\d.]+ KiB of activations/);
      expect((await cli('workers', 'remove', `127.0.0.1:${rpcPort}`, '--data-dir', cliData.path)).stdout).toMatch(/removed worker/);
      expect((await cli('workers', 'list', '--data-dir', cliData.path)).stdout).toMatch(/no workers registered/);
      const everywhere = await cli('worker', '--host', '0.0.0.0', '--engine', testEnginePath(), '--data-dir', cliData.path);
      expect(everywhere.code).toBe(2);
      expect(everywhere.stderr).toMatch(/--host 0\.0\.0\.0 would listen on every interface/);
    } finally {
      cliData.cleanup();
    }
  });

  const lanIp = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!lanIp) process.stdout.write('[skip] rpc-workers: no non-loopback IPv4 address on this machine; the LAN-binding warning test is skipped\n');
  it.skipIf(!lanIp)('binds the address --host names and warns plainly that RPC traffic is unauthenticated and unencrypted', async () => {
    const dir = tempDir();
    const [p, sp] = [await freePort(lanIp), await freePort(lanIp)];
    const lan = await startWorker(dir.path, p, sp, ['--host', lanIp!]);
    try {
      expect(lan.output.join('\n')).toMatch(/warning: RPC traffic between the main node and its workers is neither authenticated nor encrypted/);
      const status = (await (await fetch(`http://${lanIp}:${sp}/status`)).json()) as WorkerStatus;
      expect(status).toMatchObject({ endpoint: `${lanIp}:${p}`, state: 'ready' });
    } finally {
      await lan.stop();
      dir.cleanup();
    }
  });

  it('registers the worker (bad addresses refused by field), health-checks it and shows its devices as remote devices', async () => {
    const bad = await admin('/api/v1/workers', { method: 'POST', body: JSON.stringify({ address: 'no-port' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('address');
    const added = await admin('/api/v1/workers', { method: 'POST', body: JSON.stringify({ address: `127.0.0.1:${rpcPort}`, statusPort }) });
    expect(added.status).toBe(201);
    expect((await admin('/api/v1/workers', { method: 'POST', body: JSON.stringify({ address: `127.0.0.1:${rpcPort}`, statusPort }) })).status).toBe(409);
    const list = (await (await admin('/api/v1/workers')).json()) as WorkerListResponse;
    expect(list.warning).toMatch(/neither authenticated nor encrypted/);
    expect(list.data).toEqual([expect.objectContaining({ address: `127.0.0.1:${rpcPort}`, health: 'online', devices: [expect.objectContaining({ id: 'CPU' })] })]);
    const hw = (await (await admin('/api/v1/hardware')).json()) as HardwareResponse;
    expect(hw.remoteDevices).toEqual([expect.objectContaining({ worker: `127.0.0.1:${rpcPort}`, id: 'CPU', kind: 'cpu', usable: true })]);
  });

  it.skipIf(!hasUnzip)('lists the worker with its health and devices in the diagnostics bundle', async () => {
    const res = await admin(DIAGNOSTICS_ROUTE);
    expect(res.status).toBe(200);
    const zip = join(mainData.path, '..', `${Date.now()}-workers-diag.zip`);
    writeFileSync(zip, Buffer.from(await res.arrayBuffer()));
    try {
      const workers = JSON.parse(execFileSync('unzip', ['-p', zip, 'workers.json'], { encoding: 'utf8' })) as unknown;
      expect(workers).toEqual([expect.objectContaining({ address: `127.0.0.1:${rpcPort}`, statusPort, health: 'online', devices: [expect.objectContaining({ id: 'CPU' })] })]);
    } finally {
      rmSync(zip, { force: true });
    }
  });

  it('splits stories260K over this CPU and the worker under a local RAM limit, and answers a seeded request like the single-machine plan', async () => {
    const create = (name: string, overrides: Record<string, unknown>) =>
      admin('/api/v1/deployments', { method: 'POST', body: JSON.stringify({ model: STORIES_MODEL, name, overrides: { parallel: 1, ...overrides } }) });
    expect((await create('solo', { workers: 'never' })).status).toBe(201);
    expect((await create('split', { localRamLimitMiB: LOCAL_RAM_LIMIT_MIB })).status).toBe(201);

    const solo = await chat('solo');
    expect(solo.status).toBe(200);
    const expected = ((await solo.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;
    expect(expected.length).toBeGreaterThan(10);
    expect((await instanceOf('solo'))!.argv).not.toContain('--rpc');
    await admin('/api/v1/deployments/solo/unload', { method: 'POST' });

    const split = await chat('split');
    expect(split.status).toBe(200);
    expect(((await split.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe(expected);
    const inst = (await instanceOf('split'))!;
    expect(inst.argv.slice(inst.argv.indexOf('--rpc'), inst.argv.indexOf('--rpc') + 4)).toEqual(['--rpc', `127.0.0.1:${rpcPort}`, '--device', 'RPC0']);
    const devices = inst.placement!.devices;
    const here = devices.find((d) => d.id === 'CPU')!;
    const there = devices.find((d) => d.id === `127.0.0.1:${rpcPort}/CPU`)!;
    expect(here.layers).toBeGreaterThan(0);
    expect(there.layers).toBeGreaterThan(0);
    expect(here.totalBytes).toBeLessThanOrEqual(LOCAL_RAM_LIMIT_MIB * 2 ** 20);
    // The worker now serves our engine: it says so, and no other engine may plan on it.
    await waitFor(async () => ((await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json()) as WorkerStatus).clientConnected, 'the worker to report the engine connected');
    const streamed = await readSse(await chat('split', { stream: true }));
    expect(streamed.done).toBe(true);
    expect(chatContent(streamed.events)).toBe(expected);
  });

  it('stops the engine when its worker stops answering without closing the connection (frozen), ending the stream with an error event', async () => {
    const res = await chat('split', { stream: true, max_tokens: 1900, seed: 3 });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while ((text.match(/\n\n/g) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    // Frozen, not dead: no TCP reset reaches the engine, which would otherwise wait on its RPC socket.
    const frozen = [worker!.proc.pid!, rpcServerPid(workerData.path, rpcPort)];
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
    const last = JSON.parse(text.trim().split('\n\n').at(-1)!.slice(6)) as { error?: { code: string; message: string } };
    expect(last.error!.code).toBe('engine_failed');
    // The worker watch stopped it (audited with the worker and why), not a timeout elsewhere.
    const audit = await waitFor(() => {
      const file = join(mainData.path, 'logs', 'audit.jsonl');
      const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
      return lines.map((l) => JSON.parse(l) as { action: string; actor: string; detail?: { worker?: string; reason?: string } }).find((r) => r.actor === 'worker-watch');
    }, 'the worker watch to be audited');
    expect(audit).toMatchObject({ action: 'instance.unload', detail: { worker: `127.0.0.1:${rpcPort}`, reason: expect.stringMatching(/unreachable \(no answer within 2000 ms\)/) } });
    expect(text).not.toMatch(/\[DONE\]/);
    // Thawed, the worker answers again and the next request plans the split again.
    const again = await waitFor(
      async () => {
        const r = await chat('split', { max_tokens: 4 });
        return r.status === 200 ? r : (await r.body?.cancel(), null);
      },
      'the deployment to serve again on the thawed worker',
      60_000,
      250,
    );
    await again.body?.cancel();
    expect((await instanceOf('split'))!.argv).toContain('--rpc');
  }, 120_000);

  it('ends a running stream with an error event when the worker dies, then refuses with the reason until the worker is back, and splits again', async () => {
    const res = await chat('split', { stream: true, max_tokens: 1900, seed: 1 });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const decoder = new TextDecoder();
    while ((text.match(/\n\n/g) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const rpcPid = rpcServerPid(workerData.path, rpcPort);
    // The machine goes away: the worker process and its rpc-server, without a chance to clean up.
    worker!.proc.kill('SIGKILL');
    process.kill(rpcPid, 'SIGKILL');
    await worker!.stop();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toMatch(/"code":"engine_failed"/);
    expect(text).not.toMatch(/\[DONE\]/);

    // Planned again without the worker: the RAM limit leaves too little here, so it is refused with both reasons.
    // (Requests while the old engine still crash-loops against the dead worker fail with engine errors.)
    const refused = await waitFor(
      async () => {
        const r = await chat('split', { max_tokens: 4 });
        if (r.status === 200) return void (await r.body?.cancel());
        const message = ((await r.json()) as { error: { message: string } }).error.message;
        return /does not fit/.test(message) ? { status: r.status, message } : null;
      },
      'the deployment to be planned again without the worker',
      60_000,
      250,
    );
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(refused.message).toMatch(new RegExp(`worker 127\\.0\\.0\\.1:${rpcPort} CPU .*unreachable`));
    expect(refused.message).toMatch(/CPU needs .* of system RAM/);

    worker = await startWorker(workerData.path, rpcPort, statusPort);
    const again = await chat('split');
    expect(again.status, again.status === 200 ? '' : await again.text()).toBe(200);
    expect((await instanceOf('split'))!.argv).toContain('--rpc');
  });
});
