// GET /api/v1/hardware and the live SSE stream on a real core (real HTTP on 127.0.0.1, free port).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, HARDWARE_ROUTES, type HardwareSnapshot } from '../../electron/contract/index.js';
import { startTestCore, type TestCore } from '../helpers/core.js';

describe('hardware API', () => {
  const token = 'test-admin-token-hardware';
  let t: TestCore;
  let core: TestCore['core'];
  let url: string;
  const auth = { authorization: `Bearer ${token}` };

  beforeAll(async () => {
    // No engine: hardware detection alone.
    t = await startTestCore({ adminToken: token, enginePath: undefined }, []);
    ({ core, url } = t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers the snapshot to the admin and caches it until ?refresh=1', async () => {
    const res = await fetch(`${url}${ROUTES.hardware}`, { headers: auth });
    expect(res.status).toBe(200);
    const a = (await res.json()) as HardwareSnapshot;
    expect(a.schemaVersion).toBe(1);
    expect(a.memory.totalBytes).toBeGreaterThan(0);
    const b = (await (await fetch(`${url}${ROUTES.hardware}`, { headers: auth })).json()) as HardwareSnapshot;
    expect(b.detectedAt).toBe(a.detectedAt);
    await new Promise((r) => setTimeout(r, 5));
    const c = (await (await fetch(`${url}${ROUTES.hardware}?refresh=1`, { headers: auth })).json()) as HardwareSnapshot;
    expect(Date.parse(c.detectedAt)).toBeGreaterThan(Date.parse(a.detectedAt));
  });

  it('is admin-only, GET-only, and names a bad refresh value', async () => {
    expect((await fetch(`${url}${ROUTES.hardware}`)).status).toBe(401);
    const post = await fetch(`${url}${ROUTES.hardware}`, { method: 'POST', headers: auth });
    expect(post.status).toBe(405);
    const bad = await fetch(`${url}${ROUTES.hardware}?refresh=yes`, { headers: auth });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { message: "refresh must be 0 or 1, got 'yes'", type: 'invalid_request_error', code: 'invalid_parameter', param: 'refresh' } });
  });

  it('streams live reports while a client watches, and stops polling when it leaves', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${url}${HARDWARE_ROUTES.live}`, { headers: auth, signal: ctrl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    const report = JSON.parse(/^data: (.*)$/m.exec(text)![1]!) as { sampledAt: string; gpus: unknown[] };
    expect(Date.parse(report.sampledAt)).not.toBeNaN();
    expect(Array.isArray(report.gpus)).toBe(true);
    expect(core.hardware.monitor.subscribers).toBe(1);
    ctrl.abort();
    await new Promise((r) => setTimeout(r, 100));
    expect(core.hardware.monitor.subscribers).toBe(0);
    expect(core.hardware.monitor.active).toBe(false);
  });
});
