// `llama-orch models …` as a user runs it: the built CLI as a child process, a temp data dir, and a
// fake hub reached through HF_ENDPOINT.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelFacts, ModelListResponse, ModelManifest, ModelSearchResponse } from '../../electron/contract/index.js';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.js';
import { CLI, STORIES_MODEL } from '../helpers/paths.js';
import { tempDir } from '../helpers/tmp.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('llama-orch models (CLI)', () => {
  const tmp = tempDir();
  const dataDir = join(tmp.path, 'data');
  let hub: FakeHub;
  const cli = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(process.execPath, [CLI, 'models', ...args, '--data-dir', dataDir], { env: { ...process.env, HF_ENDPOINT: hub.url, HF_TOKEN: '' } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    hub = await startFakeHub([{ repo: 'karpathy/stories-GGUF', cardLicense: 'mit', files: [{ path: 'stories260K-Q8_0.gguf', file: STORIES_MODEL }] }]);
  });
  afterAll(async () => {
    await hub.close();
    tmp.cleanup();
  });

  it('pulls owner/repo:quant from HF_ENDPOINT and lists it', async () => {
    const pull = await cli('pull', 'karpathy/stories-GGUF:Q8_0');
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout).toMatch(/^pulled stories260k-q8_0 \(llama, 293K params, .*1\.1 MiB\)/);
    expect(pull.stderr).toMatch(/karpathy\/stories-GGUF: stories260K-Q8_0.gguf .*\(100%\)/);
    const list = await cli('list', '--json');
    const body = JSON.parse(list.stdout) as ModelListResponse;
    expect(body.data.map((m) => [m.id, m.source, m.architecture, m.license])).toEqual([['stories260k-q8_0', 'hub', 'llama', { id: 'mit', link: null, from: 'hub-card' }]]);
    expect((await cli('list')).stdout).toMatch(/LICENCE\n.*stories260k-q8_0 .* hub +mit\n/);
  });

  it('imports with --link, inspects by id or path, verifies and removes', async () => {
    const imp = await cli('import', STORIES_MODEL, '--link', '--id', 'tiny', '--json');
    expect(imp.code, imp.stderr).toBe(0);
    expect((JSON.parse(imp.stdout) as ModelManifest).source).toEqual({ kind: 'import', path: STORIES_MODEL, linked: true });
    const byId = JSON.parse((await cli('inspect', 'TINY', '--json')).stdout) as ModelManifest;
    expect(byId.facts).toMatchObject({ blockCount: 5, headCount: 8, headCountKv: 4, contextLength: 2048 });
    const byPath = JSON.parse((await cli('inspect', STORIES_MODEL, '--json')).stdout) as ModelFacts;
    expect(byPath).toMatchObject({ architecture: 'llama', embeddingLength: 64 });
    expect((await cli('inspect', STORIES_MODEL)).stdout).toMatch(/kv heads\s+4/);
    expect((await cli('verify', 'tiny')).stdout).toMatch(/tiny: verified/);
    expect((await cli('rm', 'tiny')).stdout).toBe('removed tiny\n');
  });

  it('searches the hub', async () => {
    const r = await cli('search', 'stories', '--json');
    expect((JSON.parse(r.stdout) as ModelSearchResponse).data[0]).toMatchObject({ repo: 'karpathy/stories-GGUF', files: [{ name: 'stories260K-Q8_0.gguf', quant: 'Q8_0' }] });
  });

  it('fails with a clear message and a non-zero exit for bad input', async () => {
    const junk = join(tmp.path, 'junk.gguf');
    writeFileSync(junk, 'hello');
    const cases: [string[], RegExp][] = [
      [['import', junk], /junk.gguf is not a GGUF model file/],
      [['import', STORIES_MODEL, '--id', '../../evil'], /invalid model id '..\/..\/evil': it contains a path separator/],
      [['rm', 'nope'], /model 'nope' is not in the library; models: stories260k-q8_0/],
      [['pull', 'karpathy/stories-GGUF:Q2_K'], /has no Q2_K file; quants there: Q8_0/],
      [['pull', 'not a repo'], /is not a Hugging Face repo name/],
      [['frobnicate'], /unknown models action 'frobnicate'/],
    ];
    for (const [args, why] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(why);
    }
  });
});
