// The import graph of the core points down only: api/ (the HTTP adapter) on top, then http/ (low-level
// HTTP pieces), then the domain modules, with electron/contract at the bottom. Read from the sources'
// import declarations; a new arrow upward fails here with the file and the import.
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { imports, parse, rel, sourceFiles } from '../../helpers/source-files.js';

interface Edge {
  from: string;
  to: string;
}

function edges(dirs: string[]): Edge[] {
  const out: Edge[] = [];
  for (const file of sourceFiles(dirs, ['.ts', '.cts'])) {
    for (const spec of imports(parse(file))) {
      const to = spec.startsWith('.') ? rel(normalize(join(dirname(file), spec))) : spec;
      out.push({ from: rel(file), to });
    }
  }
  return out;
}

const core = edges(['electron/core']);
/** The folder under electron/core a path is in ('' for the composition root's files). */
const floor = (p: string) => /^electron\/core\/([^/]+)\//.exec(p)?.[1] ?? '';
const show = (e: Edge) => `${e.from} → ${e.to}`;

describe('import rules', () => {
  it('sees the imports (the graph is not empty and includes api → domain arrows)', () => {
    expect(core.length).toBeGreaterThan(300);
    expect(core.some((e) => floor(e.from) === 'api' && floor(e.to) === 'deployments')).toBe(true);
  });

  it('no domain module (nor http/) imports api/; only the composition root (core.ts) wires it', () => {
    const up = core.filter((e) => e.to.startsWith('electron/core/api/') && floor(e.from) !== 'api' && e.from !== 'electron/core/core.ts');
    expect(up.map(show)).toEqual([]);
  });

  it('http/ imports nothing of the domain: only util/, the contract and itself', () => {
    const bad = core.filter((e) => floor(e.from) === 'http' && e.to.startsWith('electron/') && !/^electron\/(core\/(http|util)|contract)\//.test(e.to));
    expect(bad.map(show)).toEqual([]);
  });

  it('the core never imports electron (it runs headless under plain Node)', () => {
    expect(core.filter((e) => e.to === 'electron' || (e.to.startsWith('electron/') && !e.to.startsWith('electron/core/') && !e.to.startsWith('electron/contract/'))).map(show)).toEqual([]);
  });

  it('the contract imports only itself and zod (no Node, DOM or core)', () => {
    const bad = edges(['electron/contract']).filter((e) => !e.to.startsWith('electron/contract/') && e.to !== 'zod');
    expect(bad.map(show)).toEqual([]);
  });

  it('the check can fail: an arrow from a domain folder up to api/ is caught', () => {
    const fake: Edge = { from: 'electron/core/models/x.ts', to: 'electron/core/api/http.js' };
    expect([...core, fake].filter((e) => e.to.startsWith('electron/core/api/') && floor(e.from) !== 'api' && e.from !== 'electron/core/core.ts')).toEqual([fake]);
  });
});
