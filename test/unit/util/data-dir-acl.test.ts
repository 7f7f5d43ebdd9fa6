// Windows: a data folder outside the profile is restricted to the user with icacls before secrets are
// written there, or the start is refused with a reason; inside the profile and on POSIX nothing runs.
import { describe, expect, it } from 'vitest';
import { restrictDataDir, sidFromWhoami } from '../../../electron/core/util/data-dir-acl.js';
import type { ToolRunner } from '../../../electron/core/util/process-table.js';

const SID = 'S-1-5-21-1004336348-1177238915-682003330-1001';
const env = { USERPROFILE: 'C:\\Users\\ana' };

function tools(icaclsOk = true): { run: ToolRunner; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run: async (file, args) => {
      calls.push([file, ...args].join(' '));
      if (file === 'whoami') return { ok: true, stdout: `"desktop-7\\ana","${SID}"\r\n` };
      return icaclsOk ? { ok: true, stdout: 'processed file: D:\\llama-orch\r\nSuccessfully processed 1 files' } : { ok: false, stdout: 'D:\\llama-orch: Access is denied.\r\n' };
    },
  };
}

describe('data folder ACL on Windows', () => {
  it('restricts a folder outside the profile to the user, SYSTEM and Administrators (inherited by keys and tokens)', async () => {
    const t = tools();
    const marked: string[] = [];
    expect(await restrictDataDir('D:\\llama-orch', { platform: 'win32', env, run: t.run, exists: () => false, mark: (p) => void marked.push(p) })).toBe('restricted');
    expect(t.calls).toEqual(['whoami /user /fo csv /nh', `icacls D:\\llama-orch /inheritance:r /grant:r *${SID}:(OI)(CI)F /grant:r *S-1-5-18:(OI)(CI)F /grant:r *S-1-5-32-544:(OI)(CI)F`]);
    expect(marked).toEqual(['D:\\llama-orch\\.acl-restricted']);
  });

  it('refuses the folder with a clear message when it cannot be restricted', async () => {
    const t = tools(false);
    await expect(restrictDataDir('D:\\llama-orch', { platform: 'win32', env, run: t.run, exists: () => false, mark: () => {} })).rejects.toThrow(
      /cannot restrict the data folder D:\\llama-orch to your user \(icacls failed: D:\\llama-orch: Access is denied\.\); API keys and tokens stored there would be readable by other users/,
    );
  });

  it('leaves folders inside the profile (already private), restricted ones, and POSIX systems alone', async () => {
    const t = tools();
    expect(await restrictDataDir('C:\\Users\\ana\\AppData\\Local\\llama-orch', { platform: 'win32', env, run: t.run, exists: () => false })).toBe('unchanged');
    expect(await restrictDataDir('D:\\llama-orch', { platform: 'win32', env, run: t.run, exists: () => true })).toBe('unchanged');
    expect(await restrictDataDir('/srv/llama-orch', { platform: 'linux', env, run: t.run })).toBe('unchanged');
    expect(t.calls).toEqual([]);
  });

  it('reads the SID from whoami /user /fo csv /nh', () => {
    expect(sidFromWhoami(`"desktop-7\\ana","${SID}"`)).toBe(SID);
    expect(sidFromWhoami('')).toBeNull();
  });
});
