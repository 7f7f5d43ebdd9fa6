// Engine log files: bounded size, a fixed number of files, newest lines in the live file.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { RotatingLog } from '../../../electron/core/supervisor/rotating-log.js';
import { tempDir } from '../../helpers/tmp.js';

describe('RotatingLog', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
    return () => tmp.cleanup();
  });

  it('rotates at the size limit and keeps exactly N files, oldest dropped', () => {
    const path = join(tmp.path, 'logs', 'm.log');
    const log = new RotatingLog(path, { maxBytes: 1000, files: 3, flushMs: 10_000 });
    for (let i = 0; i < 200; i++) log.write(`line ${String(i).padStart(4, '0')} ${'x'.repeat(40)}`);
    log.close();
    expect([path, `${path}.1`, `${path}.2`].map(existsSync)).toEqual([true, true, true]);
    expect(existsSync(`${path}.3`)).toBe(false);
    for (const f of [path, `${path}.1`, `${path}.2`]) expect(statSync(f).size).toBeLessThanOrEqual(1000);
    const live = readFileSync(path, 'utf8').trim().split('\n');
    expect(live.at(-1)).toMatch(/^line 0199 /);
    const older = readFileSync(`${path}.1`, 'utf8').trim().split('\n');
    // consecutive: the rotated file ends right before the live one starts
    expect(Number(older.at(-1)!.slice(5, 9)) + 1).toBe(Number(live[0]!.slice(5, 9)));
  });

  it('buffers writes and flushes them after the interval', async () => {
    const path = join(tmp.path, 'b.log');
    const log = new RotatingLog(path, { flushMs: 20 });
    log.write('hello');
    expect(existsSync(path)).toBe(false);
    await new Promise((r) => setTimeout(r, 60));
    expect(readFileSync(path, 'utf8')).toBe('hello\n');
  });

  it('continues an existing file after a restart, counting its size', () => {
    const path = join(tmp.path, 'c.log');
    const a = new RotatingLog(path, { maxBytes: 100, files: 2 });
    a.write('a'.repeat(80));
    a.close();
    const b = new RotatingLog(path, { maxBytes: 100, files: 2 });
    b.write('b'.repeat(30));
    b.close();
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(`${'a'.repeat(80)}\n`);
    expect(readFileSync(path, 'utf8')).toBe(`${'b'.repeat(30)}\n`);
  });
});
