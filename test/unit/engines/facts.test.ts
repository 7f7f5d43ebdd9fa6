// Engine facts from one provider: a stand-in llama-server (a real child process that counts its
// runs) answers --version and --list-devices; each is asked once per binary, and the devices are
// asked again only after the hardware is re-detected.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HardwareSnapshot } from '../../../electron/contract/index.js';
import { EngineFacts } from '../../../electron/core/engines/facts.js';
import { tempDir } from '../../helpers/tmp.js';

const SCRIPT = `#!/bin/sh
echo "$1" >> "$(dirname "$0")/runs"
case "$1" in
  --version) echo "version: 7001 (abc1234)" >&2 ;;
  --list-devices) printf 'Available devices:\\n  CPU: stand-in (1024 MiB, 512 MiB free)\\n' ;;
esac
`;

describe.runIf(process.platform !== 'win32')('engine facts', () => {
  let dir: ReturnType<typeof tempDir>;
  let engine: string;
  const runs = () => readFileSync(join(dir.path, 'runs'), 'utf8').trim().split('\n');
  beforeEach(() => {
    dir = tempDir();
    engine = join(dir.path, 'llama-server');
    writeFileSync(engine, SCRIPT);
    chmodSync(engine, 0o755);
  });
  afterEach(() => dir.cleanup());

  it('reads the version once per binary and knows it afterwards without asking', async () => {
    const facts = new EngineFacts(async () => ({ gpus: [] }) as unknown as HardwareSnapshot);
    expect(facts.cachedVersion(engine)).toBeUndefined();
    const [a, b] = await Promise.all([facts.version(engine), facts.version(engine)]);
    expect([a, b]).toEqual(['7001 (abc1234)', '7001 (abc1234)']);
    expect(facts.cachedVersion(engine)).toBe('7001 (abc1234)');
    expect(runs()).toEqual(['--version']);
  });

  it('lists the devices once per detected hardware, again after a re-detection', async () => {
    let snapshot = Promise.resolve({ gpus: [] } as unknown as HardwareSnapshot);
    const facts = new EngineFacts(() => snapshot);
    const first = await facts.devices(engine);
    expect(first.devices.map((d) => d.id)).toEqual(['CPU']);
    await facts.devices(engine);
    expect(runs()).toEqual(['--list-devices']);
    snapshot = Promise.resolve({ gpus: [] } as unknown as HardwareSnapshot);
    await facts.devices(engine);
    expect(runs()).toEqual(['--list-devices', '--list-devices']);
  });
});
