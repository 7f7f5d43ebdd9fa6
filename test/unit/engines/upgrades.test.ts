// The pure parts of engine upgrades: comparing two engines' probe answers into a verdict, and the
// default-engine history (rollback target, engines kept from removal, a corrupt file kept aside).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineProbeRun } from '../../../electron/contract/index.js';
import { runCheck, type CheckInstance } from '../../../electron/core/engines/check.js';
import { EngineDefaults, KEEP_LAST_DEFAULTS } from '../../../electron/core/engines/defaults.js';
import { compare, cosine, firstDifference, pairedRatio, worst } from '../../../electron/core/engines/probes.js';
import { tempDir } from '../../helpers/tmp.js';

const run = (over: Partial<EngineProbeRun & { embedding: number[] | null }> = {}): EngineProbeRun & { embedding: number[] | null } => ({
  engine: 'x',
  loaded: true,
  loadMs: 100,
  error: null,
  tokens: [1, 2, 3, 4],
  embedding: null,
  promptTps: 1000,
  genTps: 100,
  memory: [],
  ...over,
});

describe('comparing a candidate engine with the current one', () => {
  it('passes identical tokens at the same speed and reports the ratios', () => {
    const r = compare('story', 'chat', true, run(), run({ genTps: 98, promptTps: 1100 }));
    expect(r).toMatchObject({ verdict: 'pass', tokensIdentical: true, firstDifference: null, genTpsRatio: 0.98, promptTpsRatio: 1.1 });
    expect(r.summary).toBe('identical 4 tokens; generation 0.98×, prompt 1.1×');
  });

  it('says where the tokens first differ', () => {
    const r = compare('story', 'chat', true, run(), run({ tokens: [1, 2, 9, 4] }));
    expect(r).toMatchObject({ verdict: 'differs', tokensIdentical: false, firstDifference: 2 });
    expect(r.summary).toContain('tokens differ from token 2');
  });

  it('calls a candidate generating under 80 % of the current speed slower, by how much', () => {
    const r = compare('story', 'chat', true, run(), run({ genTps: 70 }));
    expect(r.verdict).toBe('slower');
    expect(r.summary).toMatch(/^slower by 30 %/);
  });

  it("reports a candidate that did not load with the engine's error line", () => {
    const r = compare('story', 'chat', true, run(), run({ loaded: false, error: 'llama_model_load: error loading model: unknown model architecture', tokens: null }));
    expect(r).toMatchObject({ verdict: 'fails_to_load', summary: 'fails to load: llama_model_load: error loading model: unknown model architecture' });
  });

  it('compares embeddings by cosine', () => {
    expect(cosine([1, 0], [1, 0])).toBe(1);
    expect(cosine([1, 0], [0, 1])).toBe(0);
    expect(compare('e', 'embeddings', true, run({ tokens: null, embedding: [1, 0], genTps: null }), run({ tokens: null, embedding: [0.9, 0.1], genTps: null })).verdict).toBe('differs');
    expect(compare('e', 'embeddings', true, run({ tokens: null, embedding: [1, 2], genTps: null }), run({ tokens: null, embedding: [1, 2], genTps: null })).verdict).toBe('pass');
  });

  it('finds the first difference also when one answer is shorter, and the worst verdict', () => {
    expect(firstDifference([1, 2], [1, 2, 3])).toBe(2);
    expect(firstDifference([1, 2], [1, 2])).toBeNull();
    expect(worst(['pass', 'slower', 'pass'])).toBe('slower');
    expect(worst(['differs', 'fails_to_load'])).toBe('fails_to_load');
    expect(worst([])).toBe('pass');
  });
});

describe('the default engine history', () => {
  const dirs: { cleanup: () => void }[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  function defaults(): { d: EngineDefaults; file: string; setting: { value: string | null } } {
    const dir = tempDir();
    dirs.push(dir);
    const setting = { value: null as string | null };
    const file = join(dir.path, 'engine-defaults.json');
    let t = Date.parse('2026-12-01T00:00:00Z');
    const d = new EngineDefaults(file, { get: () => setting.value, set: (e) => (setting.value = e) }, () => (t += 1000));
    return { d, file, setting };
  }

  it('remembers who switched and on which report; rollback goes to the one before', () => {
    const { d, file, setting } = defaults();
    expect(d.previous()).toBeNull();
    d.set('a', { actor: 'first engine installed' });
    d.set('b', { actor: 'admin', reportId: 'r1' });
    expect(setting.value).toBe('b');
    expect(d.previous()).toBe('a');
    expect(d.list()[0]).toMatchObject({ engine: 'b', previous: 'a', actor: 'admin', reportId: 'r1', forced: false });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ schemaVersion: 1, history: [{ engine: 'a' }, { engine: 'b' }] });
  });

  it(`keeps the engines of the last ${KEEP_LAST_DEFAULTS} defaults from removal`, () => {
    const { d } = defaults();
    for (const e of ['a', 'b', 'c', 'd']) d.set(e, { actor: 'admin' });
    expect([...d.kept()].sort()).toEqual(['b', 'c', 'd']);
  });

  it('a default set by hand in the settings (no history for it) has no rollback target', () => {
    const { d, setting } = defaults();
    d.set('a', { actor: 'admin' });
    setting.value = 'z';
    expect(d.previous()).toBeNull();
  });

  it('moves a corrupt history file aside and says so, never silently replacing it', () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir.path, 'engine-defaults.json');
    writeFileSync(file, '{"schemaVersion": 9}');
    const d = new EngineDefaults(file, { get: () => null, set: () => undefined });
    expect(d.problems[0]).toContain('could not be read');
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir.path).some((n) => n.startsWith('engine-defaults.json.corrupt-'))).toBe(true);
  });
});

describe('a staging check when both engines do not fit at once', () => {
  it('probes the current engine, stops it, probes the candidate, stops it, starts the current one again, and says so', async () => {
    const log: string[] = [];
    const instance = (id: string, enginePath: string): CheckInstance => ({
      spec: { id, modelId: id, modelPath: '/m.gguf', enginePath, args: ['-c', '512'] },
      apiKey: 'k',
      ensureReady: async () => void log.push(`ready ${id} on ${enginePath}`),
      baseUrl: () => `http://${id}`,
      info: () => ({ id, modelId: id, modelPath: '/m.gguf', enginePath, state: 'ready', reason: null, pid: 1, port: 1, restarts: 0, startedAt: null, readyAt: null, argv: [] }),
      tailLogs: () => [],
      facts: () => ({ buffers: [] }),
    });
    const live = instance('story', '/a/llama-server');
    const report = await runCheck(
      {
        createInstance: (spec) => (log.push(`create ${spec.id} with ${spec.args.join(' ')}`), instance(spec.id, spec.enginePath)),
        removeInstance: async (id) => void log.push(`remove ${id}`),
        now: () => 0,
        probe: async (target) => (log.push(`probe ${target.baseUrl}`), { tokens: [1, 2, 3], embedding: null, promptTps: 100, genTps: 50 }),
      },
      {
        candidate: 'b',
        candidateBinary: '/b/llama-server',
        current: 'a',
        subjects: [{ name: 'story', role: 'chat', current: async () => (log.push('current story'), live), fitsBeside: async () => false, stopCurrent: async () => void log.push('stop story') }],
      },
    );
    expect(log).toEqual([
      'current story',
      'probe http://story',
      'probe http://story',
      'probe http://story',
      'stop story',
      'create story.check with -c 512',
      'ready story.check on /b/llama-server',
      'probe http://story.check',
      'probe http://story.check',
      'probe http://story.check',
      'remove story.check',
      'current story',
    ]);
    expect(report.results[0]).toMatchObject({ verdict: 'pass', sideBySide: false, tokensIdentical: true, genTpsRatio: 1 });
    expect(report.results[0]!.summary).toContain('one after the other');
  });
});

describe('speed ratio of paired rounds', () => {
  it('is the median of candidate/current per round, so one lucky round of the current engine does not make an identical build slower', () => {
    // The best rounds alone: 100 vs 300 → 0.33, 'slower'; round by round the two builds are alike.
    expect(pairedRatio([100, 300, 100, 100, 100], [100, 100, 100, 100, 100])).toBe(1);
    expect(pairedRatio([100, 100, 100], [70, 75, 72])).toBe(0.72);
    expect(pairedRatio([100, 100], [90, 100])).toBe(0.95);
    expect(pairedRatio([null, 100], [100, null])).toBeNull();
    const r = compare('story', 'chat', true, run(), run({ genTps: 30 }), { gen: 1, prompt: 1 });
    expect(r).toMatchObject({ verdict: 'pass', genTpsRatio: 1 });
  });
});
