// `llama-orch catalog` on this machine's real hardware: every entry shown with its size and the
// planner's verdict, and the recommendation (if any) is one of them that fits.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CATALOG_ROUTE } from '../../electron/contract/index.js';
import { startTestCore } from '../helpers/core.js';
import { CLI } from '../helpers/paths.js';

describe('GET /api/v1/catalog', () => {
  it('answers the same verdicts from the running core, for the first-run screen', async () => {
    const core = await startTestCore({}, []);
    try {
      const res = await fetch(`${core.url}${CATALOG_ROUTE}`, { headers: { authorization: `Bearer ${core.core.auth.adminToken}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { recommended: string | null; models: { id: string; fit: string | null; licence: string }[] };
      expect(body.models.length).toBeGreaterThan(3);
      expect(body.models.every((m) => m.licence.length > 0)).toBe(true);
      expect((await fetch(`${core.url}${CATALOG_ROUTE}`)).status).toBe(401);
    } finally {
      await core.close();
    }
  });
});

describe('llama-orch catalog', () => {
  it('shows every entry with its size and fit verdict, and recommends one that fits', () => {
    const out = JSON.parse(execFileSync(process.execPath, [CLI, 'catalog', '--json'], { encoding: 'utf8', timeout: 60_000 })) as {
      recommended: string | null;
      models: { id: string; name: string; sizeBytes: number; fit: string | null; reason: string | null }[];
    };
    expect(out.models.length).toBeGreaterThan(3);
    for (const m of out.models) {
      expect(m.sizeBytes).toBeGreaterThan(0);
      expect(m.fit !== null || (m.reason ?? '').length > 0, `${m.id}: a verdict or the reason it does not fit`).toBe(true);
    }
    if (out.recommended) expect(out.models.find((m) => m.id === out.recommended)?.fit).not.toBeNull();
    const table = execFileSync(process.execPath, [CLI, 'catalog'], { encoding: 'utf8', timeout: 60_000 });
    expect(table.split('\n').filter((l) => / GB {2}/.test(l))).toHaveLength(out.models.length);
  });
});
