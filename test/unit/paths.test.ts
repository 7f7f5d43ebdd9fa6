// Where the data folder goes by default on each platform.
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../electron/core/paths.js';

const none = () => false;

describe('default data folder', () => {
  const win = { USERPROFILE: 'C:\\Users\\ana', APPDATA: 'C:\\Users\\ana\\AppData\\Roaming', LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' };

  it('Windows: under %LOCALAPPDATA%, not the roaming profile (models, engines and pidfiles are machine-local)', () => {
    expect(defaultDataDir(win, 'win32', none)).toBe('C:\\Users\\ana\\AppData\\Local\\llama-orch');
    expect(defaultDataDir({ USERPROFILE: 'C:\\Users\\ana' }, 'win32', none)).toBe('C:\\Users\\ana\\AppData\\Local\\llama-orch');
  });

  it('Windows: keeps using a data folder an earlier version made under Roaming, unless one exists under Local', () => {
    const roamingOnly = (p: string) => p === 'C:\\Users\\ana\\AppData\\Roaming\\llama-orch';
    expect(defaultDataDir(win, 'win32', roamingOnly)).toBe('C:\\Users\\ana\\AppData\\Roaming\\llama-orch');
    expect(defaultDataDir(win, 'win32', () => true)).toBe('C:\\Users\\ana\\AppData\\Local\\llama-orch');
  });

  it('macOS: Application Support; Linux: XDG_DATA_HOME or ~/.local/share; the env override wins everywhere', () => {
    expect(defaultDataDir({ HOME: '/Users/ana' }, 'darwin', none)).toBe('/Users/ana/Library/Application Support/llama-orch');
    expect(defaultDataDir({ HOME: '/home/ana' }, 'linux', none)).toBe('/home/ana/.local/share/llama-orch');
    expect(defaultDataDir({ HOME: '/home/ana', XDG_DATA_HOME: '/data/xdg' }, 'linux', none)).toBe('/data/xdg/llama-orch');
    expect(defaultDataDir({ LLAMA_ORCH_DATA_DIR: 'D:\\orch', LOCALAPPDATA: 'C:\\x' }, 'win32', none)).toBe('D:\\orch');
  });
});
