// The upstreams file and its sealed keys: real files in a temp folder.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SecretBox } from '../../../electron/core/upstreams/secret-box.js';
import { normalizeBaseUrl, Upstreams } from '../../../electron/core/upstreams/service.js';
import { UpstreamStore } from '../../../electron/core/upstreams/store.js';
import { HttpError } from '../../../electron/core/util/errors.js';
import { tempDir } from '../../helpers/tmp.js';

const KEY = 'sk-unit-secret-0123456789abcdef';
const dirs: { cleanup(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

function setup(local: string[] = ['local-model']) {
  const d = tempDir();
  dirs.push(d);
  const audit: unknown[] = [];
  const make = () =>
    new Upstreams({ store: new UpstreamStore(join(d.path, 'upstreams.json')), box: new SecretBox(join(d.path, 'secret.key')), isLocalName: (n) => local.includes(n), audit: (...a) => audit.push(a) });
  return { dir: d.path, make, audit };
}

describe('upstreams store', () => {
  it('saves the key sealed (never in plain text), mode 0600, and a new core reads it back', () => {
    const s = setup();
    const view = s.make().add({ name: 'lab', baseUrl: 'http://10.0.0.5:8000', apiKey: KEY });
    expect(JSON.stringify(view)).not.toContain(KEY);
    expect(view).toMatchObject({ baseUrl: 'http://10.0.0.5:8000/v1', hasKey: true, prefix: 'lab/' });
    const file = join(s.dir, 'upstreams.json');
    expect(readFileSync(file, 'utf8')).not.toContain(KEY);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(s.audit)).not.toContain(KEY);
    const again = s.make();
    expect(again.get('lab')!.apiKey).toBe(KEY);
    expect(again.secrets()).toEqual([KEY]);
  });

  it('refuses bad input with a 400 naming the field, and name clashes with 409', () => {
    const s = setup(['local-model']);
    const u = s.make();
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return e as HttpError;
      }
      throw new Error('no error');
    };
    expect(err(() => u.add({ name: 'a b', baseUrl: 'http://x' }))).toMatchObject({ status: 400, param: 'name' });
    expect(err(() => u.add({ name: 'a', baseUrl: 'http://u:p@x' }))).toMatchObject({ status: 400, param: 'baseUrl' });
    expect(err(() => u.add({ name: 'a', baseUrl: 'http://x', timeoutSeconds: 0 }))).toMatchObject({ status: 400, param: 'timeoutSeconds' });
    expect(err(() => u.add({ name: 'a', baseUrl: 'http://x', aliases: { 'local-model': 'm' } }))).toMatchObject({ status: 409, code: 'alias_conflict' });
    expect(err(() => u.add({ name: 'a', baseUrl: 'http://x', fallback: 'nothing' }))).toMatchObject({ status: 400, param: 'fallback' });
    u.add({ name: 'a', baseUrl: 'http://x' });
    expect(err(() => u.add({ name: 'b', baseUrl: 'http://y', prefix: 'a/' }))).toMatchObject({ status: 409, param: 'prefix' });
  });

  it('routes aliases first, then the prefix; a known list makes an unknown model 404 naming what exists', () => {
    const s = setup();
    const u = s.make();
    u.add({ name: 'lab', baseUrl: 'http://x', aliases: { big: 'meta/llama-70b' } });
    expect(u.resolve('BIG')).toMatchObject({ model: 'meta/llama-70b', viaAlias: true });
    expect(u.resolve('lab/qwen')).toMatchObject({ model: 'qwen', exposed: 'lab/qwen', viaAlias: false });
    expect(u.resolve('local-model')).toBeNull();
    u.get('lab')!.models = ['qwen'];
    expect(() => u.resolve('lab/other')).toThrow(/lab\/qwen/);
    expect(u.openAiModels().map((m) => m.id)).toEqual(['big', 'lab/qwen']);
  });

  it('keeps a corrupt file aside and reports it instead of starting empty silently', () => {
    const s = setup();
    writeFileSync(join(s.dir, 'upstreams.json'), '{ not json');
    const u = s.make();
    expect(u.list()).toEqual([]);
    expect(u.problems[0]).toMatch(/not valid JSON.*kept aside/);
    expect(readdirSync(s.dir).some((n) => n.startsWith('upstreams.json.corrupt-'))).toBe(true);
    expect(existsSync(join(s.dir, 'upstreams.json'))).toBe(false);
  });

  it('normalizes base URLs to end in /v1', () => {
    expect(normalizeBaseUrl('http://h:8000')).toBe('http://h:8000/v1');
    expect(normalizeBaseUrl('http://h:8000/v1/')).toBe('http://h:8000/v1');
    expect(normalizeBaseUrl('http://h/openai')).toBe('http://h/openai/v1');
  });
});
