// Engine upgrades end to end with real engines: two copies of the test engine imported under other
// names (same build), and a broken candidate — a real archive whose llama-server starts the real
// binary with a metadata override that makes it refuse the model at load. Through the real CLI and
// `llama-orch serve`: the default engine, staging checks, promote with a rolling restart, rollback,
// the audit log.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECEIPT_HEADER, type EngineCheckReport, type EngineDefaultsResponse } from '../../electron/contract/index.js';
import { testEnginePath } from '../helpers/engine.js';
import { CLI, STORIES_MODEL } from '../helpers/paths.js';
import { isAlive, waitFor } from '../helpers/processes.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(dataDir: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args, '--data-dir', dataDir], { timeout: 300_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

/** A .tar.gz holding `<name>/llama-server`: a copy of the test engine, or a wrapper script. */
function engineArchive(dir: string, name: string, wrapper?: string): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  const bin = join(folder, 'llama-server');
  if (wrapper) writeFileSync(bin, wrapper);
  else copyFileSync(testEnginePath(), bin);
  chmodSync(bin, 0o755);
  const archive = join(dir, `${name}.tar.gz`);
  execFileSync('tar', ['-czf', archive, '-C', dir, name]);
  return archive;
}

interface AuditLine {
  action: string;
  actor: string;
  target?: string;
  detail?: Record<string, unknown>;
}

const A = 'llama-test-a';
const B = 'llama-test-b';
const BROKEN = 'llama-broken';

describe.skipIf(process.platform === 'win32')('engine upgrades (real engines)', () => {
  const data = tempDir();
  const work = tempDir();
  let serve: ServeHandle;
  let admin: (path: string, init?: RequestInit) => Promise<Response>;

  beforeAll(async () => {
    engineArchive(work.path, A);
    engineArchive(work.path, B);
    // Loads like a build that cannot read this model: the engine's own error at model load.
    engineArchive(work.path, BROKEN, `#!/bin/sh\nexec "${testEnginePath()}" "$@" --override-kv general.architecture=str:broken\n`);
  }, 120_000);

  /** The audit log, once it holds what `ready` looks for (it is appended off the request path). */
  function auditUntil(ready: (lines: AuditLine[]) => boolean): Promise<AuditLine[]> {
    return waitFor(
      () => {
        const file = join(data.path, 'logs', 'audit.jsonl');
        if (!existsSync(file)) return null;
        const lines = readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as AuditLine);
        return ready(lines) ? lines : null;
      },
      'the audit log entry',
      30_000,
      100,
    );
  }

  afterAll(async () => {
    await serve?.stop();
    data.cleanup();
    work.cleanup();
  });

  it('makes the first imported engine the default and says so; importing more engines does not change it', async () => {
    const first = await cli(data.path, 'engines', 'import', join(work.path, `${A}.tar.gz`));
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(`${A} is the first engine here and is now the default engine`);
    for (const name of [B, BROKEN]) {
      const r = await cli(data.path, 'engines', 'import', join(work.path, `${name}.tar.gz`));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain('now the default');
    }
    const settings = JSON.parse(readFileSync(join(data.path, 'settings.json'), 'utf8'));
    expect(settings.engines.defaultEngine).toBe(A);
    expect((await cli(data.path, 'engines', 'default')).stdout).toContain(`default engine: ${A}`);
    const removeDefault = await cli(data.path, 'engines', 'remove', A);
    expect(removeDefault.code).toBe(1);
    expect(removeDefault.stderr).toContain('is the default engine');
  }, 180_000);

  it('checks an identical candidate: pass, identical 64 tokens, the tok/s ratio reported and the report kept', async () => {
    serve = await startServe(['--data-dir', data.path]);
    const { adminToken } = JSON.parse(readFileSync(join(data.path, 'run', 'core.json'), 'utf8')) as { adminToken: string };
    admin = (path, init = {}) => fetch(`${serve.url}${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' } });
    const created = await admin('/api/v1/deployments', {
      method: 'POST',
      body: JSON.stringify({ model: STORIES_MODEL, name: 'story', overrides: { devices: ['cpu'], parallel: 2, contextSize: 1024 } }),
    });
    expect(created.status).toBe(201);

    const r = await cli(data.path, 'engines', 'check', B, '--all', '--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as EngineCheckReport;
    expect(report).toMatchObject({ candidate: B, current: A, verdict: 'pass' });
    const story = report.results.find((x) => x.deployment === 'story')!;
    expect(story).toMatchObject({ verdict: 'pass', tokensIdentical: true, firstDifference: null, sideBySide: true });
    expect(story.current.tokens).toHaveLength(64);
    expect(story.candidate.tokens).toEqual(story.current.tokens);
    expect(story.genTpsRatio).toBeGreaterThan(0);
    expect(story.promptTpsRatio).toBeGreaterThan(0);
    expect(existsSync(join(data.path, 'engine-checks', `${report.id}.json`))).toBe(true);
    // The candidate's instance is gone; the deployment still runs on the default.
    const list = ((await (await admin('/api/v1/instances')).json()) as { data: { id: string; enginePath: string }[] }).data;
    expect(list.map((i) => i.id)).toEqual(['story']);
    expect(list[0]!.enginePath).toContain(`${A}`);
  }, 300_000);

  it("reports a broken candidate as failing to load with the engine's own error line, and refuses to promote it without --force", async () => {
    const res = await admin('/api/v1/engines/checks', { method: 'POST', body: JSON.stringify({ candidate: BROKEN, deployments: ['story'] }) });
    expect(res.status).toBe(201);
    const report = (await res.json()) as EngineCheckReport;
    expect(report.verdict).toBe('fails_to_load');
    // The engine's own line, through the one redaction function (it drops the quoted value).
    expect(report.results[0]!.candidate.error).toMatch(/llama_model_load: error loading model: unknown model architecture/);
    expect(report.results[0]!.summary).toMatch(/^fails to load: .*unknown model architecture/);

    const refused = await cli(data.path, 'engines', 'promote', BROKEN);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('failed its check');
    const api = await admin('/api/v1/engines/promote', { method: 'POST', body: JSON.stringify({ engine: BROKEN }) });
    expect(api.status).toBe(409);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('engine_check_failed');
    const bad = await admin('/api/v1/engines/promote', { method: 'POST', body: JSON.stringify({ engine: 7 }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('engine');
    expect(((await (await admin('/api/v1/engines/default')).json()) as EngineDefaultsResponse).defaultEngine).toBe(A);
  }, 300_000);

  it('promotes with a rolling restart (a running stream completes, no request fails, new requests name the new engine), rolls back in one step, and audits both', async () => {
    const chat = (body: Record<string, unknown>) =>
      fetch(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'story', messages: [{ role: 'user', content: 'Once upon a time' }], temperature: 0, seed: 1, ...body }),
      });
    const engineOf = (res: Response) => (JSON.parse(res.headers.get(RECEIPT_HEADER)!) as { engine: string }).engine;
    const warm = await chat({ max_tokens: 1 });
    expect(engineOf(warm)).toBe(A);
    const oldPid = ((await (await admin('/api/v1/instances')).json()) as { data: { id: string; pid: number }[] }).data.find((i) => i.id === 'story')!.pid;

    // A stream that runs while the switch happens.
    const stream = await chat({ max_tokens: 200, stream: true });
    expect(engineOf(stream)).toBe(A);
    const reader = stream.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    let text = new TextDecoder().decode(first.value);
    const streamDone = (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return text;
        text += new TextDecoder().decode(value);
      }
    })();
    // Requests one after the other during the switch: none may fail.
    let switching = true;
    const failures: string[] = [];
    const gaps: number[] = [];
    const load = (async () => {
      let last = Date.now();
      while (switching) {
        const r = await chat({ max_tokens: 1 });
        if (r.status !== 200) failures.push(`${r.status} ${await r.text()}`);
        else await r.arrayBuffer();
        gaps.push(Date.now() - last);
        last = Date.now();
      }
    })();
    const t0 = Date.now();
    const promoted = await cli(data.path, 'engines', 'promote', B);
    const promoteMs = Date.now() - t0;
    switching = false;
    await load;
    expect(promoted.code, promoted.stderr).toBe(0);
    expect(promoted.stdout).toContain(`default engine: ${B} (was ${A})`);
    expect(promoted.stdout).toMatch(/story: moved, new engine ready in \d+ ms/);
    const body = await streamDone;
    expect(body).toContain('"finish_reason"');
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(failures).toEqual([]);
    console.log(`promote: ${promoteMs} ms end to end; longest gap between answers during it: ${Math.max(...gaps)} ms over ${gaps.length} requests`);
    await waitFor(() => !isAlive(oldPid), 'the replaced engine to exit', 60_000, 100);
    expect(engineOf(await chat({ max_tokens: 1 }))).toBe(B);

    const back = await cli(data.path, 'engines', 'rollback');
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain(`default engine: ${A} (was ${B})`);
    expect(engineOf(await chat({ max_tokens: 1 }))).toBe(A);

    const audit = await auditUntil((a) => a.some((x) => x.action === 'engine.rollback'));
    const promote = audit.find((a) => a.action === 'engine.promote');
    const checkReports = readdirSync(join(data.path, 'engine-checks'));
    expect(promote).toMatchObject({ actor: 'admin', target: B, detail: { previous: A, verdict: 'pass', forced: false } });
    expect(checkReports).toContain(`${(promote!.detail as { reportId: string }).reportId}.json`);
    expect(audit.find((a) => a.action === 'engine.rollback')).toMatchObject({ actor: 'admin', target: A, detail: { from: B } });
    const history = ((await (await admin('/api/v1/engines/default')).json()) as EngineDefaultsResponse).history;
    expect(history.map((h) => h.engine).slice(0, 3)).toEqual([A, B, A]);
  }, 400_000);

  it('forcing a broken engine keeps each running deployment on its old engine (still serving), says so, and rollback undoes the switch', async () => {
    const forced = await cli(data.path, 'engines', 'promote', BROKEN, '--force');
    expect(forced.code).toBe(1);
    expect(forced.stdout).toContain(`default engine: ${BROKEN} (was ${A}) (forced)`);
    expect(forced.stdout).toMatch(/story: kept its old engine — /);
    const res = await fetch(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'story', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1 }),
    });
    expect(res.status).toBe(200);
    expect((JSON.parse(res.headers.get(RECEIPT_HEADER)!) as { engine: string }).engine).toBe(A);
    const audit = await auditUntil((a) => a.some((x) => x.action === 'engine.promote' && x.target === BROKEN));
    expect(audit.find((x) => x.action === 'engine.promote' && x.target === BROKEN)).toMatchObject({ actor: 'admin', detail: { forced: true, previous: A } });
    const back = await cli(data.path, 'engines', 'rollback');
    expect(back.code, back.stderr).toBe(0);
    expect(((await (await admin('/api/v1/engines/default')).json()) as EngineDefaultsResponse).defaultEngine).toBe(A);
  }, 300_000);

  it('promotes for chosen deployments only: pins them (saved) and moves them, the default stays; an unknown name is refused naming it', async () => {
    const unknown = await admin('/api/v1/engines/promote', { method: 'POST', body: JSON.stringify({ engine: B, deployments: ['nope'] }) });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain("'nope'");
    const r = await cli(data.path, 'engines', 'promote', B, '--deployments', 'story');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`pinned story to the engine; default engine unchanged (${A})`);
    const res = await fetch(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'story', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1 }),
    });
    expect((JSON.parse(res.headers.get(RECEIPT_HEADER)!) as { engine: string }).engine).toBe(B);
    const saved = JSON.parse(readFileSync(join(data.path, 'deployments.json'), 'utf8')) as { deployments: { name: string; engine: string | null }[] };
    expect(saved.deployments.find((d) => d.name === 'story')!.engine).toBe(B);
    expect(((await (await admin('/api/v1/engines/default')).json()) as EngineDefaultsResponse).defaultEngine).toBe(A);
  }, 300_000);

  it('holds a deployment that follows the default only after a passing check on the engine it had when the switch has no passing check for it', async () => {
    const dep = await cli(data.path, 'deploy', STORIES_MODEL, '--name', 'careful', '--engine-updates', 'after-check', '--devices', 'cpu');
    expect(dep.code, dep.stderr).toBe(0);
    // The newest check of B covers `story` only: `careful` has no passing check.
    const r = await cli(data.path, 'engines', 'promote', B);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`careful: held on ${A}`);
    const saved = JSON.parse(readFileSync(join(data.path, 'deployments.json'), 'utf8')) as { deployments: { name: string; engine: string | null; engineUpdates?: string }[] };
    expect(saved.deployments.find((d) => d.name === 'careful')).toMatchObject({ engine: A, engineUpdates: 'after-check' });
    const audit = await auditUntil((a) => a.some((x) => x.action === 'engine.promote' && (x.detail?.held as string[] | undefined)?.length));
    expect(audit.find((x) => x.action === 'engine.promote' && (x.detail?.held as string[] | undefined)?.length)!.detail!.held).toEqual(['careful']);
  }, 300_000);
});
