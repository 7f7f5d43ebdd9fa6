// The request log keeps metadata lines per day and drops days past the retention.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ActivityLog } from '../../../electron/core/logs/request-log.js';
import { tempDir } from '../../helpers/tmp.js';

describe('ActivityLog', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('appends request records to the file of their day and audit records to audit.jsonl', async () => {
    const log = new ActivityLog(tmp.path, () => 30);
    const base = { id: 'r1', model: 'm', route: '/v1/chat/completions', status: 200, outcome: 'completed', promptTokens: 3, completionTokens: 5, firstByteMs: 1.5, totalMs: 9, keyId: null };
    log.request({ ...base, time: '2026-11-23T10:00:00.000Z' });
    log.request({ ...base, id: 'r2', time: '2026-11-24T10:00:00.000Z' });
    log.audit('POST /api/v1/keys', 'admin', undefined, { status: 201 });
    await log.close();
    expect(JSON.parse(readFileSync(join(tmp.path, 'requests-2026-11-23.jsonl'), 'utf8'))).toMatchObject({ id: 'r1' });
    expect(JSON.parse(readFileSync(join(tmp.path, 'requests-2026-11-24.jsonl'), 'utf8'))).toMatchObject({ id: 'r2' });
    expect(JSON.parse(readFileSync(join(tmp.path, 'audit.jsonl'), 'utf8'))).toMatchObject({ action: 'POST /api/v1/keys', detail: { status: 201 } });
  });

  it('removes request logs older than the retention and keeps the rest', async () => {
    for (const day of ['2026-10-01', '2026-11-20', '2026-11-24']) writeFileSync(join(tmp.path, `requests-${day}.jsonl`), '{}\n');
    writeFileSync(join(tmp.path, 'audit.jsonl'), '{}\n');
    const log = new ActivityLog(tmp.path, () => 7);
    const removed = await log.prune(Date.parse('2026-11-24T12:00:00Z'));
    expect(removed).toEqual(['requests-2026-10-01.jsonl']);
    expect(existsSync(join(tmp.path, 'requests-2026-11-20.jsonl'))).toBe(true);
    expect(existsSync(join(tmp.path, 'audit.jsonl'))).toBe(true);
    await log.close();
  });
});
