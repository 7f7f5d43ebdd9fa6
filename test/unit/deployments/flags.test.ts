import { describe, expect, it } from 'vitest';
import { DeploymentError } from '../../../electron/core/deployments/errors.js';
import { checkExtraFlags, deploymentFlags } from '../../../electron/core/deployments/flags.js';

function refusal(tokens: string[]): DeploymentError {
  try {
    checkExtraFlags(tokens);
  } catch (err) {
    return err as DeploymentError;
  }
  throw new Error('expected a refusal');
}

describe('extra engine flags', () => {
  it('accepts allow-listed flags with their values, inline or separate', () => {
    expect(checkExtraFlags(['--rope-freq-base', '10000', '--no-mmap', '--reasoning-format=none'])).toHaveLength(4);
  });

  it('refuses flags the core sets itself, naming the flag, the field and where to set it instead', () => {
    const err = refusal(['--no-mmap', '--port', '9000']);
    expect(err.code).toBe('flag_not_allowed');
    expect(err.field).toBe('extraFlags.1');
    expect(err.message).toMatch(/'--port' is not allowed: the core picks/);
    expect(refusal(['-ngl', '99']).message).toMatch(/overrides.nGpuLayers/);
  });

  it('refuses unknown flags, a missing value and a stray value', () => {
    expect(refusal(['--rpc', 'host:1']).message).toMatch(/not on the allow-list/);
    expect(refusal(['--rope-freq-base']).message).toMatch(/needs a value/);
    expect(refusal(['10000']).message).toMatch(/value without a flag/);
  });

  it('turns role, projector and reproducible mode into engine flags; chat engines use Jinja templates (tool calls) unless the user says --no-jinja', () => {
    const base = { role: 'chat' as const, pooling: null, mmproj: null, reproducible: false, extraFlags: [] };
    expect(deploymentFlags(base)).toEqual(['--jinja']);
    expect(deploymentFlags({ ...base, extraFlags: ['--no-jinja'] })).toEqual(['--jinja', '--no-jinja']);
    expect(deploymentFlags({ ...base, role: 'embeddings' })).toEqual(['--embeddings', '--pooling', 'mean']);
    expect(deploymentFlags({ ...base, role: 'rerank' })).toEqual(['--reranking']);
    expect(deploymentFlags({ ...base, mmproj: '/m/mmproj.gguf', reproducible: true, extraFlags: ['--no-mmap'] })).toEqual([
      '--jinja',
      '--mmproj',
      '/m/mmproj.gguf',
      '-b',
      '512',
      '-ub',
      '512',
      '--no-mmap',
    ]);
  });
});

describe('load deadline', () => {
  it('grows with the model size at the measured read speed, never assuming a disk slower than 20 MiB/s', async () => {
    const { loadDeadlineMs } = await import('../../../electron/core/deployments/load-deadline.js');
    const GB = 1e9;
    expect(loadDeadlineMs(1 * GB, 2 * GB, 120_000)).toBe(121_000); // NVMe: the base dominates
    expect(loadDeadlineMs(40 * GB, 100e6, 120_000)).toBe(920_000); // 40 GB at 100 MB/s: 2 × 400 s on top
    expect(loadDeadlineMs(40 * GB, 1, 120_000)).toBe(loadDeadlineMs(40 * GB, 20 * 1024 * 1024, 120_000));
  });
});
