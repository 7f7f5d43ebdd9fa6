// Talking to the core that runs on a data dir (`serve` or the desktop app), found through its
// control file: admin requests with its token, errors as the API's own messages.
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ApiErrorEnvelope } from '../contract/index.js';
import { readControlFile } from '../core/control-file.js';
import { dataLayout } from '../core/paths.js';

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly envelope: ApiErrorEnvelope['error'] | null,
    message: string,
  ) {
    super(message);
  }
}

export class CoreClient {
  private constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  /** The running core of this data dir, or null when none runs. */
  static find(dataDir: string): CoreClient | null {
    const info = readControlFile(dataLayout(dataDir).run);
    return info ? new CoreClient(info.url, info.adminToken) : null;
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) {
      const envelope = parseEnvelope(text);
      throw new ApiCallError(res.status, envelope, envelope?.message ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A GET whose answer is text (a CSV or HTML report), returned as it came. */
  async text(path: string): Promise<string> {
    const res = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    const text = await res.text();
    if (!res.ok) {
      const envelope = parseEnvelope(text);
      throw new ApiCallError(res.status, envelope, envelope?.message ?? `GET ${path}: HTTP ${res.status}`);
    }
    return text;
  }

  /** A GET route's body as text (the Prometheus /metrics), whatever its status. */
  async textAnyStatus(path: string): Promise<string> {
    const res = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    return `${res.ok ? '' : `(HTTP ${res.status}) `}${await res.text()}`;
  }

  /** Server-sent events of a GET route, each `data:` payload parsed, until the connection ends. */
  async events(path: string, onEvent: (data: unknown) => void, signal?: AbortSignal): Promise<void> {
    const res = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.token}`, accept: 'text/event-stream' }, ...(signal ? { signal } : {}) });
    if (!res.ok || !res.body) throw new ApiCallError(res.status, parseEnvelope(await res.text()), `GET ${path}: HTTP ${res.status}`);
    const lines = createInterface({ input: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream) });
    for await (const line of lines) if (line.startsWith('data: ')) onEvent(JSON.parse(line.slice(6)));
  }
}

function parseEnvelope(text: string): ApiErrorEnvelope['error'] | null {
  try {
    return (JSON.parse(text) as ApiErrorEnvelope).error ?? null;
  } catch {
    return null;
  }
}
