import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scrubKnownSecrets } from '../../../electron/core/diagnostics/bundle.js';
import { requestStats } from '../../../electron/core/diagnostics/request-stats.js';
import { tempDir } from '../../helpers/tmp.js';

describe('request-log statistics for the bundle', () => {
  const dir = tempDir();
  afterEach(() => dir.cleanup());

  it('counts by status and outcome with latency percentiles, and carries no logged content', async () => {
    const rec = (i: number, status: number, content?: string) =>
      JSON.stringify({
        time: '2026-12-04T10:00:00Z',
        id: `r${i}`,
        model: 'm',
        route: '/v1/chat/completions',
        status,
        outcome: status === 200 ? 'ok' : 'error',
        promptTokens: 3,
        completionTokens: 5,
        firstByteMs: i,
        totalMs: i * 10,
        keyId: 'k1',
        ...(content ? { content: { request: content, response: content } } : {}),
      });
    const lines = Array.from({ length: 20 }, (_, i) => rec(i + 1, i < 18 ? 200 : 500, i === 0 ? 'SECRET-CONTENT' : undefined));
    writeFileSync(join(dir.path, 'requests-2026-12-04.jsonl'), lines.join('\n') + '\nnot json\n');
    const stats = await requestStats(dir.path);
    expect(stats.days).toEqual(['2026-12-04']);
    expect(stats.rows).toEqual([
      {
        model: 'm',
        route: '/v1/chat/completions',
        count: 20,
        byStatus: { '200': 18, '500': 2 },
        byOutcome: { ok: 18, error: 2 },
        totalMs: { p50: 110, p95: 200, max: 200 },
        firstByteMs: { p50: 11, p95: 20, max: 20 },
        promptTokens: 60,
        completionTokens: 100,
      },
    ]);
    expect(JSON.stringify(stats)).not.toContain('SECRET-CONTENT');
  });

  it('scrubs every known secret of 8+ characters from every entry', () => {
    const out = scrubKnownSecrets([{ name: 'a', text: 'token=hf_abcdefgh and hf_abcdefgh; short=abc' }], ['hf_abcdefgh', 'abc', null]);
    expect(out[0]!.text).toBe('token=[removed] and [removed]; short=abc');
  });
});
