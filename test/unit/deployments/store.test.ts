import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Deployment } from '../../../electron/contract/index.js';
import { DeploymentStore } from '../../../electron/core/deployments/store.js';
import { tempDir } from '../../helpers/tmp.js';

const NOW = new Date('2026-01-02T03:04:05.678Z');

function deployment(name: string, extra: Partial<Deployment> = {}): Deployment {
  return {
    name,
    model: 'stories260k',
    modelSha256: null,
    aliases: [],
    engine: null,
    overrides: {},
    role: 'chat',
    pooling: null,
    mmproj: null,
    reproducible: false,
    pinned: false,
    idleTtlSeconds: null,
    extraFlags: [],
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    ...extra,
  };
}

describe('deployment store', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    dir = tempDir();
    file = join(dir.path, 'deployments.json');
  });
  afterEach(() => dir.cleanup());

  it('reads back what it saved, with a format version, leaving no temp file behind', () => {
    const store = new DeploymentStore(file, () => NOW);
    expect(store.load()).toEqual({ deployments: [], problems: [] });
    const saved = [deployment('chat', { aliases: ['gpt-4o-mini'], overrides: { devices: ['cpu'], parallel: 2 }, reproducible: true })];
    store.save(saved);
    expect(JSON.parse(readFileSync(file, 'utf8')).schemaVersion).toBe(1);
    expect(new DeploymentStore(file).load()).toEqual({ deployments: saved, problems: [] });
    expect(readdirSync(dir.path)).toEqual(['deployments.json']);
  });

  it('keeps a corrupt file aside with a timestamp and reports it instead of replacing it with defaults', () => {
    writeFileSync(file, '{"schemaVersion": 1, "deployments": [');
    const { deployments, problems } = new DeploymentStore(file, () => NOW).load();
    expect(deployments).toEqual([]);
    const aside = `${file}.corrupt-2026-01-02T03-04-05-678Z`;
    expect(problems).toEqual([expect.stringContaining(`kept aside as ${aside}`)]);
    expect(problems[0]).toMatch(/not valid JSON/);
    expect(readFileSync(aside, 'utf8')).toBe('{"schemaVersion": 1, "deployments": [');
    expect(existsSync(file)).toBe(false);
  });

  it('names the failing field of a file that parses but does not validate', () => {
    writeFileSync(file, JSON.stringify({ schemaVersion: 1, deployments: [{ ...deployment('a'), role: 'painter' }] }));
    const { problems } = new DeploymentStore(file, () => NOW).load();
    expect(problems[0]).toMatch(/field `deployments.0.role`/);
  });

  it('keeps aside a file written by a newer version rather than misreading it', () => {
    writeFileSync(file, JSON.stringify({ schemaVersion: 2, deployments: [] }));
    const { problems } = new DeploymentStore(file, () => NOW).load();
    expect(problems[0]).toMatch(/format version 2, newer than this app's 1/);
    expect(existsSync(file)).toBe(false);
  });
});
