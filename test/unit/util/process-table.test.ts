// The process table behind the reaper: pure parsers of each platform's tool output, the identity
// verdict, and the real table of this machine read for this very process.
import { realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CORE_STARTED_MS } from '../../../electron/core/supervisor/pidfiles.js';
import { compareIdentity, linuxStartMs, parsePsEtime, parseWindowsProcess, processIdentity, START_TOLERANCE_MS } from '../../../electron/core/util/process-table.js';

describe('process table parsers', () => {
  it('reads the start time from /proc/<pid>/stat even when the command name has spaces and parentheses', () => {
    // Captured shape: 52 fields; field 22 (starttime) is 123456 ticks after boot.
    const stat = '4242 (llama (srv) x) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 123456 1000 10 18446744073709551615';
    expect(linuxStartMs(stat, 'cpu  1 2 3\nbtime 1700000000\nprocesses 9\n')).toBe(1_700_000_000_000 + 1_234_560);
    expect(linuxStartMs(stat, 'no boot time here')).toBeNull();
  });

  it('reads ps etime in every form macOS prints, with an executable path that contains spaces', () => {
    const now = 1_700_000_000_000;
    expect(parsePsEtime('   01:02 /Applications/llama orch.app/Contents/llama-server\n', now)).toEqual({ exe: '/Applications/llama orch.app/Contents/llama-server', startedAtMs: now - 62_000 });
    expect(parsePsEtime('03:04:05 /usr/local/bin/llama-server', now)!.startedAtMs).toBe(now - (3 * 3600 + 4 * 60 + 5) * 1000);
    expect(parsePsEtime('2-00:00:01 llama-server', now)!.startedAtMs).toBe(now - (2 * 86400 + 1) * 1000);
    expect(parsePsEtime('', now)).toBeNull();
  });

  it('reads the PowerShell Win32_Process answer, and no output as no process', () => {
    const id = parseWindowsProcess('{"exe":"C:\\\\Users\\\\ana\\\\AppData\\\\Local\\\\llama-orch\\\\engines\\\\b1-cuda\\\\llama-server.exe","start":"2026-12-04T16:00:00.1234567Z"}\r\n');
    expect(id).toEqual({ exe: 'C:\\Users\\ana\\AppData\\Local\\llama-orch\\engines\\b1-cuda\\llama-server.exe', startedAtMs: Date.parse('2026-12-04T16:00:00.123Z') });
    expect(parseWindowsProcess('')).toBeNull();
    expect(parseWindowsProcess('{"exe":null,"start":"2026-12-04T16:00:00Z"}')!.exe).toBeNull();
  });
});

describe('identity verdict', () => {
  const rec = { exe: '/data/engines/b1/llama-server', startedAt: '2026-12-04T16:00:00.000Z' };
  const t = Date.parse(rec.startedAt);

  it('is the same process only with the same executable and a start time within the tolerance', () => {
    expect(compareIdentity(rec, { exe: rec.exe, startedAtMs: t - 40 }, 'linux')).toBe('same');
    expect(compareIdentity(rec, { exe: rec.exe, startedAtMs: t - START_TOLERANCE_MS - 1000 }, 'linux')).toBe('different');
    expect(compareIdentity(rec, { exe: '/usr/bin/firefox', startedAtMs: t }, 'linux')).toBe('different');
    expect(compareIdentity(rec, null, 'linux')).toBe('different');
  });

  it('is unknown (never "same") when the executable or the start time cannot be read', () => {
    expect(compareIdentity(rec, { exe: null, startedAtMs: t }, 'linux')).toBe('unknown');
    expect(compareIdentity(rec, { exe: rec.exe, startedAtMs: null }, 'linux')).toBe('unknown');
  });

  it('compares Windows paths without case and with either slash, and macOS ps names by file name', () => {
    const win = { exe: 'C:/Users/Ana/AppData/Local/llama-orch/engines/b1/llama-server.exe', startedAt: rec.startedAt };
    expect(compareIdentity(win, { exe: 'c:\\users\\ana\\appdata\\local\\llama-orch\\engines\\b1\\LLAMA-SERVER.EXE', startedAtMs: t }, 'win32')).toBe('same');
    expect(compareIdentity(win, { exe: 'C:\\Windows\\System32\\notepad.exe', startedAtMs: t }, 'win32')).toBe('different');
    expect(compareIdentity(rec, { exe: 'llama-server', startedAtMs: t }, 'darwin')).toBe('same');
    expect(compareIdentity(rec, { exe: 'llama-server', startedAtMs: t }, 'linux')).toBe('different');
  });
});

describe('the real process table of this machine', () => {
  it('identifies this process by its executable and start time', async () => {
    const id = await processIdentity(process.pid);
    expect(id).not.toBeNull();
    expect(compareIdentity({ exe: realpathSync(process.execPath), startedAt: new Date(CORE_STARTED_MS).toISOString() }, id)).toBe('same');
    // The clock-tick arithmetic (Linux) or the ps/PowerShell reading agrees with Node's own uptime.
    expect(Math.abs(id!.startedAtMs! - CORE_STARTED_MS)).toBeLessThan(3000);
  });

  it('says no process for a pid nobody holds', async () => {
    expect(await processIdentity(2 ** 22 + 12345)).toBeNull();
  });
});
