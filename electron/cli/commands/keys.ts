// `llama-orch keys create|list|update|revoke`: manage API keys and their limits in the data dir (a
// running core sees changes within a second; usage counts are those it last saved, at most a
// minute old).
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { API_PREFIXES, ROUTES, type ApiKeyInfo } from '../../contract/index.js';
import { defaultDataDir } from '../../core/paths.js';
import { KeyStore } from '../../core/security/keys.js';
import { HttpError } from '../../core/util/errors.js';
import { type CliCommand, UsageError } from '../command.js';

const LIMIT_FLAGS = {
  models: { type: 'string' },
  expires: { type: 'string' },
  rpm: { type: 'string' },
  'tokens-per-day': { type: 'string' },
  'tokens-per-month': { type: 'string' },
} as const;

/** The limit flags given, as a limits patch; `none` removes a limit (update). */
function limitsFrom(values: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const given = (flag: string) => values[flag] as string | undefined;
  const number = (flag: string) => {
    const v = given(flag)!;
    if (v === 'none') return null;
    if (!/^\d+$/.test(v)) throw new UsageError(`--${flag} must be a whole number (or 'none'), not '${v}'`);
    return Number(v);
  };
  if (given('models') !== undefined)
    patch.models =
      given('models') === 'none'
        ? null
        : given('models')!
            .split(',')
            .map((s) => s.trim());
  if (given('expires') !== undefined) patch.expiresAt = given('expires') === 'none' ? null : given('expires');
  if (given('rpm') !== undefined) patch.rpm = number('rpm');
  if (given('tokens-per-day') !== undefined) patch.tokensPerDay = number('tokens-per-day');
  if (given('tokens-per-month') !== undefined) patch.tokensPerMonth = number('tokens-per-month');
  return patch;
}

/** One line per key: who, scope, limits, usage today / this month. */
function describeKey(k: ApiKeyInfo): string {
  const limits = [
    k.models ? `models ${k.models.join(',')}` : 'all models',
    k.expiresAt ? `expires ${k.expiresAt}` : null,
    k.rpm ? `${k.rpm} rpm` : null,
    k.tokensPerDay ? `${k.tokensPerDay} tokens/day` : null,
    k.tokensPerMonth ? `${k.tokensPerMonth} tokens/month` : null,
  ].filter(Boolean);
  const u = k.usage;
  const usage = u ? `today ${u.today.requests} req ${u.today.tokens} tok, month ${u.thisMonth.requests} req ${u.thisMonth.tokens} tok` : '';
  return `${k.id}  ${k.scope.padEnd(9)}  ${k.prefix}…  ${k.name}  [${limits.join('; ')}]  ${usage}  last used ${k.lastUsedAt ?? 'never'}`;
}

const FLAG_OF: Record<string, string> = { name: '--name', models: '--models', expiresAt: '--expires', rpm: '--rpm', tokensPerDay: '--tokens-per-day', tokensPerMonth: '--tokens-per-month' };

/** Validation errors of the store (HttpError 400 naming a field) are usage errors naming the flag. */
function asUsage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof HttpError) || err.status !== 400) throw err;
    const flag = FLAG_OF[(err.param ?? '').split('.')[0]!];
    throw new UsageError(flag ? `${flag}: ${err.message.slice(err.message.indexOf(': ') + 2)}` : err.message);
  }
}

export const keysCommand: CliCommand = {
  name: 'keys',
  summary: 'create, list, update and revoke API keys (needed to serve on the LAN)',
  usage: `llama-orch keys create --name <who> [--scope inference|admin] [limits] [--json] [--data-dir <dir>]
llama-orch keys update <id> [--name <who>] [limits] [--json] [--data-dir <dir>]
llama-orch keys list [--json] [--data-dir <dir>]
llama-orch keys revoke <id> [--data-dir <dir>]

limits (update: 'none' removes one):
  --models a,b               deployments or aliases the key may use (others: 403; ${ROUTES.openaiModels} lists only these)
  --expires 2027-01-31       after that day (or ISO time) the key answers 401 key_expired
  --rpm 60                   requests per minute (429 with Retry-After beyond)
  --tokens-per-day N         prompt + completion tokens per local calendar day (429 once used up)
  --tokens-per-month N       the same per calendar month

  inference keys may call ${API_PREFIXES.openai}/* (chat, completions, embeddings); admin keys may also call ${API_PREFIXES.admin}/*.
  The key is shown once, on creation; only its hash is stored.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { name: { type: 'string' }, scope: { type: 'string', default: 'inference' }, json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' }, ...LIMIT_FLAGS },
    });
    const store = new KeyStore(join(resolve(values['data-dir'] ?? defaultDataDir()), 'keys.json'));
    const [action, id] = positionals;
    if (action === 'create') {
      if (!values.name) throw new UsageError('keys create needs --name (who or what uses the key)');
      if (values.scope !== 'inference' && values.scope !== 'admin') throw new UsageError("--scope must be 'inference' or 'admin'");
      const created = asUsage(() => store.create(values.name!, values.scope as 'inference' | 'admin', limitsFrom(values)));
      process.stdout.write(
        values.json
          ? JSON.stringify(created) + '\n'
          : `${created.key}\n\nKey ${created.info.id} (${created.info.scope}) for ${created.info.name}. Store it now: it is not shown again.\n${describeKey(created.info)}\n`,
      );
      return 0;
    }
    if (action === 'update') {
      if (!id) throw new UsageError('keys update needs the key id (see `llama-orch keys list`)');
      const patch = { ...limitsFrom(values), ...(values.name !== undefined ? { name: values.name } : {}) };
      if (!Object.keys(patch).length) throw new UsageError('keys update needs at least one of --name, --models, --expires, --rpm, --tokens-per-day, --tokens-per-month');
      const updated = asUsage(() => store.update(id, patch));
      if (!updated) {
        process.stderr.write(`error: no API key with id ${id}\n`);
        return 1;
      }
      process.stdout.write(values.json ? JSON.stringify(updated) + '\n' : `${describeKey(updated)}\n`);
      return 0;
    }
    if (action === 'list') {
      const keys = store.list();
      if (values.json) process.stdout.write(JSON.stringify(keys) + '\n');
      else if (!keys.length) process.stdout.write('no API keys\n');
      else for (const k of keys) process.stdout.write(`${describeKey(k)}\n`);
      return 0;
    }
    if (action === 'revoke') {
      if (!id) throw new UsageError('keys revoke needs the key id (see `llama-orch keys list`)');
      if (!store.revoke(id)) {
        process.stderr.write(`error: no API key with id ${id}\n`);
        return 1;
      }
      process.stdout.write(`revoked ${id}\n`);
      return 0;
    }
    throw new UsageError(`unknown keys action '${action ?? ''}'`);
  },
};
