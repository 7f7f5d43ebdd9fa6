// The real test engine (provided by the global setup) and a way to run it directly, as the
// baseline that gateway results are compared against.
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { inject } from 'vitest';
import { freePort } from '../../electron/core/util/net.js';
import { waitFor } from './processes.js';
import { trackChild } from './children.js';

export function testEnginePath(): string {
  return inject('enginePath');
}

export interface DirectEngine {
  url: string;
  proc: ChildProcess;
  /** POST a JSON body to the engine on a connection of its own (see postFresh). */
  post(path: string, body: unknown): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * POST JSON on a connection of its own, as a fetch Response. llama-server closes a connection after
 * a streamed answer without saying so in its headers; fetch() keeps such a connection for the next
 * request and may send on it just as the close arrives ("other side closed").
 */
export function postFresh(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers } }, (res) => {
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
      resolve(new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, { status: res.statusCode ?? 0, headers }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** Start llama-server directly (no llama-orch in between) and wait for /health. */
export async function startDirectEngine(args: string[], enginePath = testEnginePath(), fixedPort?: number): Promise<DirectEngine> {
  const port = fixedPort ?? (await freePort());
  const proc = spawn(enginePath, [...args, '--host', '127.0.0.1', '--port', String(port)], { stdio: 'ignore' });
  trackChild(proc, `llama-server ${args.join(' ')}`);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        try {
          return (await fetch(`${url}/health`)).status === 200;
        } catch {
          return false;
        }
      },
      'direct llama-server health',
      30_000,
    );
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }
  return {
    url,
    proc,
    post: (path, body) => postFresh(`${url}${path}`, body),
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

/** Read an OpenAI SSE stream: the data payloads in order, and whether it ended with [DONE]. */
export async function readSse(res: Response): Promise<{ events: unknown[]; done: boolean; raw: string }> {
  const raw = await res.text();
  const events: unknown[] = [];
  let done = false;
  for (const block of raw.split('\n\n')) {
    const data = block
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6))
      .join('\n');
    if (!data) continue;
    if (data === '[DONE]') done = true;
    else events.push(JSON.parse(data));
  }
  return { events, done, raw };
}

export function chatContent(events: unknown[]): string {
  return events.map((e) => (e as { choices?: { delta?: { content?: string | null } }[] }).choices?.[0]?.delta?.content ?? '').join('');
}
