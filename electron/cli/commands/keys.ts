// `llama-orch keys create|list|revoke`: manage API keys in the data dir (a running core sees
// changes within a second).
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../../core/paths.js';
import { KeyStore } from '../../core/security/keys.js';
import { type CliCommand, UsageError } from '../command.js';

export const keysCommand: CliCommand = {
  name: 'keys',
  summary: 'create, list and revoke API keys (needed to serve on the LAN)',
  usage: `llama-orch keys create --name <who> [--scope inference|admin] [--json] [--data-dir <dir>]
llama-orch keys list [--json] [--data-dir <dir>]
llama-orch keys revoke <id> [--data-dir <dir>]

  inference keys may call /v1/* (chat, completions, embeddings); admin keys may also call /api/v1/*.
  The key is shown once, on creation; only its hash is stored.`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { name: { type: 'string' }, scope: { type: 'string', default: 'inference' }, json: { type: 'boolean', default: false }, 'data-dir': { type: 'string' } },
    });
    const store = new KeyStore(join(resolve(values['data-dir'] ?? defaultDataDir()), 'keys.json'));
    const [action, id] = positionals;
    if (action === 'create') {
      if (!values.name) throw new UsageError('keys create needs --name (who or what uses the key)');
      if (values.scope !== 'inference' && values.scope !== 'admin') throw new UsageError("--scope must be 'inference' or 'admin'");
      const created = store.create(values.name, values.scope);
      process.stdout.write(values.json ? JSON.stringify(created) + '\n' : `${created.key}\n\nKey ${created.info.id} (${created.info.scope}) for ${created.info.name}. Store it now: it is not shown again.\n`);
      return 0;
    }
    if (action === 'list') {
      const keys = store.list();
      if (values.json) process.stdout.write(JSON.stringify(keys) + '\n');
      else if (!keys.length) process.stdout.write('no API keys\n');
      else for (const k of keys) process.stdout.write(`${k.id}  ${k.scope.padEnd(9)}  ${k.prefix}…  ${k.name}  created ${k.createdAt}  last used ${k.lastUsedAt ?? 'never'}\n`);
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
