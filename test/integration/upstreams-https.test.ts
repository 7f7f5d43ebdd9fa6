// Remote upstreams over HTTPS, with real processes: the upstream is a bare llama-server behind a TLS
// terminator (node:tls, a certificate made by openssl for localhost); `llama-orch serve` trusts that
// certificate through NODE_EXTRA_CA_CERTS, as a company adds its private CA. A stream through the
// gateway gives the answer the upstream gives directly; an upstream whose certificate is not trusted
// is refused with the TLS reason, never spoken to in plain text.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenAiModelList } from '../../electron/contract/index.js';
import { chatContent, readSse, startDirectEngine, testEnginePath, type DirectEngine } from '../helpers/engine.js';
import { STORIES_MODEL } from '../helpers/paths.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl) console.warn('upstreams-https: skipped, the `openssl` tool is not installed to make a test certificate');

const SECRET = 'sk-upstream-tls-test-5e1f0c2a9d7b4433';
const SEEDED = { stream: true, max_tokens: 24, temperature: 0, seed: 42, messages: [{ role: 'user', content: 'Once upon a time' }] };

/** A self-signed certificate for localhost and 127.0.0.1 (key and certificate file paths). */
function makeCertificate(dir: string, name: string): { key: string; cert: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=localhost`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key, cert };
}

/** TLS in front of a plain TCP port (what a reverse proxy such as nginx or Caddy does for vLLM). */
async function tlsTerminator(files: { key: string; cert: string }, targetPort: number): Promise<{ server: TlsServer; port: number }> {
  const server = createTlsServer({ key: readFileSync(files.key), cert: readFileSync(files.cert) }, (client) => {
    const plain = connect({ host: '127.0.0.1', port: targetPort });
    client.pipe(plain).pipe(client);
    client.on('error', () => plain.destroy());
    plain.on('error', () => client.destroy());
    client.on('close', () => plain.destroy());
    plain.on('close', () => client.destroy());
  });
  server.on('tlsClientError', () => undefined); // a client refusing our certificate (the untrusted case)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe.skipIf(!hasOpenssl)('remote upstreams over HTTPS', () => {
  const dir = tempDir();
  let upstream: DirectEngine;
  let trusted: { server: TlsServer; port: number };
  let untrusted: { server: TlsServer; port: number };
  let serve: ServeHandle;
  let admin: (path: string, init?: RequestInit) => Promise<Response>;

  beforeAll(async () => {
    upstream = await startDirectEngine(['-m', STORIES_MODEL, '--api-key', SECRET, '--alias', 'stories', '-np', '2', '-c', '4096']);
    const enginePort = Number(new URL(upstream.url).port);
    const good = makeCertificate(dir.path, 'trusted');
    trusted = await tlsTerminator(good, enginePort);
    untrusted = await tlsTerminator(makeCertificate(dir.path, 'untrusted'), enginePort);
    serve = await startServe(['--engine', testEnginePath(), '--data-dir', join(dir.path, 'data')], { env: { NODE_EXTRA_CA_CERTS: good.cert } });
    const { adminToken } = JSON.parse(readFileSync(join(dir.path, 'data', 'run', 'core.json'), 'utf8')) as { adminToken: string };
    admin = (path, init = {}) => fetch(`${serve.url}${path}`, { ...init, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' } });
  });

  afterAll(async () => {
    await serve?.stop();
    for (const s of [trusted, untrusted]) await new Promise((resolve) => s?.server.close(resolve));
    await upstream?.stop();
    dir.cleanup();
  });

  const register = (name: string, port: number) =>
    admin('/api/v1/upstreams', { method: 'POST', body: JSON.stringify({ name, baseUrl: `https://localhost:${port}/v1`, apiKey: SECRET, aliases: { [`${name}-stories`]: 'stories' } }) });
  const chat = (model: string) => fetch(`${serve.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...SEEDED, model }) });

  it('streams through an https upstream the answer the upstream gives directly', async () => {
    expect((await register('tls', trusted.port)).status).toBe(201);
    const models = (await (await fetch(`${serve.url}/v1/models`)).json()) as OpenAiModelList;
    expect(models.data.map((m) => m.id)).toContain('tls-stories');
    const direct = await fetch(`${upstream.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({ ...SEEDED, model: 'stories' }),
    });
    const expected = chatContent((await readSse(direct)).events);
    expect(expected.length).toBeGreaterThan(10);
    for (let i = 0; i < 3; i++) {
      // Three in a row: the later ones go over spare TLS connections opened ahead.
      const res = await chat('tls-stories');
      expect(res.status).toBe(200);
      const streamed = await readSse(res);
      expect(streamed.done).toBe(true);
      expect(chatContent(streamed.events)).toBe(expected);
    }
  });

  it('refuses an upstream whose certificate is not trusted, saying why', async () => {
    expect((await register('bad', untrusted.port)).status).toBe(201);
    const res = await chat('bad-stories');
    expect(res.status).toBeGreaterThanOrEqual(500);
    const body = (await res.json()) as { error: { message: string } };
    expect(body.error.message).toMatch(/^the upstream 'bad' did not answer: .*certificate/i);
  });
});
