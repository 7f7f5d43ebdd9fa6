// `llama-orch upstreams add|list|remove|check`: remote OpenAI-compatible servers served beside the local
// deployments. With a core running on the data dir the change goes through its API (it takes effect at
// once and is audited there); without one, through the same service on the data dir. The key is read
// from an environment variable or stdin, never from argv (which other users of the machine can see).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROUTES, type UpstreamListResponse, type UpstreamView } from '../../contract/index.js';
import { Core } from '../../core/core.js';
import { defaultDataDir } from '../../core/paths.js';
import { HttpError } from '../../core/util/errors.js';
import { type CliCommand, UsageError } from '../command.js';
import { CoreClient } from '../core-client.js';

const USAGE = `llama-orch upstreams add <name> <base-url> [--api-key-env VAR | --api-key-stdin] [--prefix <p>|--no-prefix]
                        [--alias <ours>=<theirs>]... [--fallback <local deployment>] [--timeout <s>]
                        [--max-concurrent <n>] [--health-interval <s>] [--failure-threshold <n>] [--open-seconds <s>]
llama-orch upstreams list [--json]
llama-orch upstreams check <name>
llama-orch upstreams remove <name>
  (each takes --data-dir <dir>)

  <base-url>      the server's OpenAI base URL, e.g. http://10.0.0.5:8000/v1 or https://llm.example.org/v1
                  (vLLM, TGI, llama-swap, llama-orch; a private CA: NODE_EXTRA_CA_CERTS=ca.pem)
  --api-key-env   read its API key from this environment variable (stored encrypted, never shown again)
  --prefix        its models are listed as <prefix><model> (default: <name>/); --no-prefix lists only aliases
  --alias         one of our names for one of its models, e.g. --alias default=meta-llama/Llama-3.1-70B-Instruct
  --fallback      a local deployment that answers the aliases while the upstream's circuit is open
  --failure-threshold / --open-seconds   N failures open the circuit for T seconds (503 + Retry-After)`;

const INT_FLAGS = {
  timeout: 'timeoutSeconds',
  'max-concurrent': 'maxConcurrent',
  'health-interval': 'healthIntervalSeconds',
  'failure-threshold': 'failureThreshold',
  'open-seconds': 'openSeconds',
} as const;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

async function inputOf(name: string, baseUrl: string, v: Record<string, unknown>): Promise<Record<string, unknown>> {
  const input: Record<string, unknown> = { name, baseUrl };
  if (v['api-key-env'] !== undefined) {
    const key = process.env[v['api-key-env'] as string];
    if (!key) throw new UsageError(`--api-key-env: the environment variable ${String(v['api-key-env'])} is not set`);
    input.apiKey = key;
  } else if (v['api-key-stdin']) input.apiKey = await readStdin();
  if (v['no-prefix']) input.prefix = null;
  else if (v.prefix !== undefined) input.prefix = v.prefix;
  const aliases = (v.alias as string[] | undefined) ?? [];
  if (aliases.length) {
    input.aliases = Object.fromEntries(
      aliases.map((a) => {
        const i = a.indexOf('=');
        if (i < 1 || i === a.length - 1) throw new UsageError(`--alias must be <ours>=<theirs>, not '${a}'`);
        return [a.slice(0, i), a.slice(i + 1)];
      }),
    );
  }
  if (v.fallback !== undefined) input.fallback = v.fallback;
  for (const [flag, field] of Object.entries(INT_FLAGS)) {
    const raw = v[flag] as string | undefined;
    if (raw === undefined) continue;
    if (!/^\d+$/.test(raw)) throw new UsageError(`--${flag} must be a whole number, not '${raw}'`);
    input[field] = Number(raw);
  }
  return input;
}

function describe(u: UpstreamView): string {
  const names = [...Object.keys(u.aliases), ...(u.prefix !== null ? [`${u.prefix}*`] : [])].join(', ');
  const circuit = u.circuit === 'closed' ? 'ok' : `circuit ${u.circuit}${u.retryAfterSeconds !== null ? ` (${u.retryAfterSeconds} s)` : ''}`;
  return `${u.name}  ${u.baseUrl}  key ${u.hasKey ? 'set' : 'none'}  [${names}]  ${circuit}  models ${u.models?.join(',') ?? '(not checked yet)'}${u.fallback ? `  fallback ${u.fallback}` : ''}${u.lastError ? `\n    last error: ${u.lastError}` : ''}`;
}

/** Without a running core: the core's services on the data dir, not listening. */
async function offline<T>(dataDir: string, fn: (core: Core) => Promise<T> | T): Promise<T> {
  const core = new Core({ dataDir });
  try {
    for (const p of core.upstreams.problems) process.stderr.write(`warning: ${p}\n`);
    return await fn(core);
  } catch (err) {
    throw err instanceof HttpError ? new Error(err.message) : err;
  } finally {
    await core.stop();
  }
}

export const upstreamsCommand: CliCommand = {
  name: 'upstreams',
  summary: 'route to remote OpenAI-compatible servers (vLLM, TGI, llama-swap, another llama-orch)',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'api-key-env': { type: 'string' },
        'api-key-stdin': { type: 'boolean' },
        prefix: { type: 'string' },
        'no-prefix': { type: 'boolean' },
        alias: { type: 'string', multiple: true },
        fallback: { type: 'string' },
        timeout: { type: 'string' },
        'max-concurrent': { type: 'string' },
        'health-interval': { type: 'string' },
        'failure-threshold': { type: 'string' },
        'open-seconds': { type: 'string' },
        json: { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
      },
    });
    const dataDir = resolve(values['data-dir'] ?? defaultDataDir());
    const client = CoreClient.find(dataDir);
    const [action, name, baseUrl] = positionals;
    const print = (v: unknown, text: string) => process.stdout.write(values.json ? `${JSON.stringify(v)}\n` : `${text}\n`);
    if (action === 'add') {
      if (!name || !baseUrl) throw new UsageError('upstreams add needs a name and a base URL');
      const input = await inputOf(name, baseUrl, values);
      const view = client ? await client.call<UpstreamView>('POST', ROUTES.upstreams, input) : await offline(dataDir, (c) => c.upstreams.add(input, 'cli'));
      return (print(view, `added ${describe(view)}`), 0);
    }
    if (action === 'list') {
      const list = client ? await client.call<UpstreamListResponse>('GET', ROUTES.upstreams) : await offline(dataDir, (c) => ({ data: c.upstreams.list(), problems: c.upstreams.problems }));
      return (print(list.data, list.data.length ? list.data.map(describe).join('\n') : 'no upstreams'), 0);
    }
    if (action === 'check') {
      if (!name) throw new UsageError('upstreams check needs the name');
      const view = client
        ? await client.call<UpstreamView>('POST', ROUTES.upstreamCheck(name))
        : await offline(dataDir, async (c) => {
            const up = c.upstreams.get(name);
            if (!up) throw new Error(`no upstream named '${name}'`);
            await c.upstreams.check(up);
            return c.upstreams.list().find((u) => u.name === name)!;
          });
      return (print(view, describe(view)), view.lastError ? 1 : 0);
    }
    if (action === 'remove') {
      if (!name) throw new UsageError('upstreams remove needs the name');
      if (client) await client.call('DELETE', ROUTES.upstream(name));
      else if (!(await offline(dataDir, (c) => c.upstreams.remove(name, 'cli')))) throw new Error(`no upstream named '${name}'`);
      return (print({ removed: name }, `removed ${name}`), 0);
    }
    throw new UsageError(`unknown upstreams action '${action ?? ''}'`);
  },
};
