// The preload's surface, checked by running it the way Electron does: a CommonJS script whose only
// import is `electron`, here a fake that records what is exposed and which channels are invoked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_API_KEYS, IPC } from '../../../electron/contract/index.js';
import { ROOT } from '../../helpers/paths.js';

interface Loaded {
  exposed: Map<string, Record<string, unknown>>;
  invoked: unknown[][];
  required: string[];
  /** Files passed to webUtils.getPathForFile. */
  pathsAsked: unknown[];
}

/** Compile the .cts like tsc does (CommonJS) and run it in a fresh context with a fake `electron`. */
function loadPreload(): Loaded {
  const source = readFileSync(join(ROOT, 'electron', 'preload', 'index.cts'), 'utf8');
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2023 }, fileName: 'index.cts' }).outputText;
  const loaded: Loaded = { exposed: new Map(), invoked: [], required: [], pathsAsked: [] };
  const electron = {
    contextBridge: { exposeInMainWorld: (name: string, api: Record<string, unknown>) => loaded.exposed.set(name, api) },
    ipcRenderer: { invoke: (...args: unknown[]) => (loaded.invoked.push(args), Promise.resolve(null)) },
    webUtils: { getPathForFile: (file: { name: string }) => (loaded.pathsAsked.push(file), `/dropped/${file.name}`) },
  };
  const module = { exports: {} };
  const require = (id: string) => {
    loaded.required.push(id);
    if (id !== 'electron') throw new Error(`a sandboxed preload cannot require ${id}`);
    return electron;
  };
  runInNewContext(js, { require, module, exports: module.exports });
  return loaded;
}

describe('preload', () => {
  let loaded: Loaded;
  beforeAll(() => {
    loaded = loadPreload();
  });

  it('requires nothing but electron (sandboxed preloads cannot load other files)', () => {
    expect(loaded.required).toEqual(['electron']);
  });

  it('exposes one object, window.llamaOrch, with exactly the DesktopApi names', () => {
    expect([...loaded.exposed.keys()]).toEqual(['llamaOrch']);
    const api = loaded.exposed.get('llamaOrch')!;
    expect(Object.keys(api).sort()).toEqual([...DESKTOP_API_KEYS].sort());
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "appInfo",
        "connection",
        "desktopSettings",
        "pathForFile",
        "pickKitFolder",
        "pickModelFiles",
        "revealInFolder",
        "saveReportPdf",
        "updateDesktopSettings",
      ]
    `);
  });

  it('exposes functions only: no ipcRenderer, no Node objects, no generic invoke', () => {
    const api = loaded.exposed.get('llamaOrch')!;
    for (const [name, value] of Object.entries(api)) expect(typeof value, name).toBe('function');
    expect(Object.keys(api)).not.toContain('invoke');
    expect(Object.keys(api)).not.toContain('ipcRenderer');
  });

  it('sends each call on its contract channel with the caller’s arguments and nothing more', async () => {
    const api = loaded.exposed.get('llamaOrch') as Record<string, (...a: unknown[]) => Promise<unknown>>;
    loaded.invoked.length = 0;
    await api.connection!();
    await api.pickModelFiles!();
    await api.pickKitFolder!('export');
    await api.revealInFolder!('/models/a.gguf');
    await api.appInfo!();
    await api.desktopSettings!();
    await api.updateDesktopSettings!({ openAtLogin: true });
    await api.saveReportPdf!('2026-11');
    expect(loaded.invoked).toEqual([
      [IPC.connection],
      [IPC.pickModelFiles],
      [IPC.pickKitFolder, 'export'],
      [IPC.revealInFolder, '/models/a.gguf'],
      [IPC.appInfo],
      [IPC.desktopSettings],
      [IPC.updateDesktopSettings, { openAtLogin: true }],
      [IPC.saveReportPdf, '2026-11'],
    ]);
  });

  it('uses every contract channel, and only those', () => {
    expect(new Set(loaded.invoked.map((c) => c[0]))).toEqual(new Set(Object.values(IPC)));
  });

  it('answers pathForFile in the preload with webUtils.getPathForFile, without IPC', () => {
    const api = loaded.exposed.get('llamaOrch') as Record<string, (...a: unknown[]) => unknown>;
    loaded.invoked.length = 0;
    const file = { name: 'model.gguf' };
    expect(api.pathForFile!(file)).toBe('/dropped/model.gguf');
    expect(loaded.pathsAsked).toEqual([file]);
    expect(loaded.invoked).toEqual([]);
    expect(Object.keys(IPC)).not.toContain('pathForFile');
  });
});
