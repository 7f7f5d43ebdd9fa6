// Alerts with the real engine: SIGKILL of a served engine raises a `down` alert and, once restarted,
// `recovered`; both reach a webhook (a local HTTP server here) as JSON — the first attempt answered
// 500 is retried — without any prompt text, show in the core's event stream (the desktop
// notification's source) and in the report's alert history. Errors through the gateway (the engine
// SIGSTOPped, requests timing out with 504) raise the error-budget burn alert the same way.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreEvent, OpsReport } from '../../electron/contract/index.js';
import type { WebhookBody } from '../../electron/core/reports/alerts.js';
import { startTestCore, type TestCore } from '../helpers/core.js';
import { waitFor } from '../helpers/processes.js';

const MODEL = 'stories260K';
const SECRET_PROMPT = 'PURPLE-ELEPHANT-7781 tell me a story';

describe('alerts', () => {
  let t: TestCore;
  let receiver: Server;
  const received: string[] = [];
  let answered = 0;
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(body);
        res.writeHead(answered++ === 0 ? 500 : 204).end(); // the first delivery fails: it must be retried
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    t = await startTestCore();
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((r) => receiver?.close(r));
  });

  it('sends down and recovered to the webhook (retried, no prompt text), to the event stream and the alert history', async () => {
    t.core.settings.update({ reports: { webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` } });
    const events: CoreEvent[] = [];
    const off = t.core.events.subscribe((e) => events.push(e));
    const res = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: MODEL, max_tokens: 8, messages: [{ role: 'user', content: SECRET_PROMPT }] }) });
    expect(res.status).toBe(200);
    await res.text();
    const inst = t.core.supervisor.findByModel(MODEL)!;
    const pid = inst.info().pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => inst.info().state === 'ready' && inst.info().pid !== pid, 'the engine to restart', 60_000);
    await waitFor(() => received.length >= 3, 'the webhook to get down (twice: retried) and recovered', 30_000);
    await t.core.alerts.settled();
    off();
    const bodies = received.map((b) => JSON.parse(b) as WebhookBody);
    expect(bodies.map((b) => b.alert.kind)).toEqual(expect.arrayContaining(['down', 'recovered']));
    expect(bodies.filter((b) => b.alert.kind === 'down')).toHaveLength(2); // 500, then accepted
    expect(bodies.find((b) => b.alert.kind === 'down')).toMatchObject({ type: 'llama-orch.alert', alert: { deployment: MODEL, reason: expect.stringMatching(/SIGKILL/) } });
    for (const b of received) expect(b).not.toContain('PURPLE-ELEPHANT');
    expect(events.filter((e) => e.type === 'alert').map((e) => (e.type === 'alert' ? e.alert.kind : ''))).toEqual(['down', 'recovered']);
    const report = (await (await fetch(`${t.url}/api/v1/reports`, { headers: { authorization: `Bearer ${t.core.auth.adminToken}` } })).json()) as OpsReport;
    expect(report.alerts.map((a) => a.kind)).toEqual(['down', 'recovered']);
  });

  it('raises an error-budget burn alert when requests fail through the gateway, without prompt text', async () => {
    t.core.settings.update({ gateway: { requestTimeoutSeconds: 1 }, reports: { errorRateTargetPercent: 1 } });
    const events: CoreEvent[] = [];
    const off = t.core.events.subscribe((e) => events.push(e));
    const chat = async () => {
      const res = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: MODEL, max_tokens: 4, messages: [{ role: 'user', content: SECRET_PROMPT }] }) });
      await res.text();
      return res.status;
    };
    const ok: number[] = [];
    for (let i = 0; i < 12; i++) ok.push(await chat());
    expect(ok.every((s) => s === 200)).toBe(true);
    const pid = t.core.supervisor.findByModel(MODEL)!.info().pid!;
    process.kill(pid, 'SIGSTOP');
    let failed: number[];
    try {
      failed = await Promise.all(Array.from({ length: 12 }, chat));
    } finally {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // the liveness probe may have replaced it already
      }
    }
    expect(failed.filter((s) => s >= 500).length).toBeGreaterThanOrEqual(10);
    await waitFor(() => received.some((b) => (JSON.parse(b) as WebhookBody).alert.kind === 'budget-burn'), 'the webhook to get the budget-burn alert', 30_000);
    off();
    const burn = received.map((b) => JSON.parse(b) as WebhookBody).find((b) => b.alert.kind === 'budget-burn')!;
    expect(burn.alert).toMatchObject({ deployment: MODEL, reason: expect.stringMatching(/error budget .*× as fast as the 1 % target allows/) });
    for (const b of received) expect(b).not.toContain('PURPLE-ELEPHANT');
    expect(events.some((e) => e.type === 'alert' && e.alert.kind === 'budget-burn')).toBe(true);
    await waitFor(
      async () =>
        ((await (await fetch(`${t.url}/api/v1/reports`, { headers: { authorization: `Bearer ${t.core.auth.adminToken}` } })).json()) as OpsReport).alerts.some((a) => a.kind === 'budget-burn'),
      'the alert history to hold it',
      10_000,
    );
  }, 120_000);
});
