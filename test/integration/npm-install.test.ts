// The headless install without a checkout: `npm pack` of this project, `npm install -g` of the
// tarball into a temporary prefix, and the installed `llama-orch serve` (started from an unrelated
// folder) answers a chat and serves the built web UI.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testEnginePath } from '../helpers/engine.js';
import { ROOT, STORIES_MODEL } from '../helpers/paths.js';
import { startServe, type ServeHandle } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

const hasNpm = spawnSync('npm', ['--version']).status === 0;
const canRun = hasNpm && process.platform === 'linux' && process.arch === 'x64';
if (!canRun) console.warn(`npm-install: skipped, ${hasNpm ? 'the test engine is built for linux-x64 only' : '`npm` is not on PATH'}`);

function run(file: string, args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(file, args, { cwd, timeout: 400_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` })),
  );
}

describe.skipIf(!canRun)('npm pack + npm install -g', () => {
  const work = tempDir();
  let serve: ServeHandle | null = null;
  afterAll(async () => {
    await serve?.stop();
    work.cleanup();
  });

  it('installs the tarball with the built UI and CLI, and `llama-orch serve` answers a chat from any folder', async (ctx) => {
    expect(existsSync(join(ROOT, 'dist', 'electron', 'cli', 'main.js')), 'run `npm run build` first (npm test does)').toBe(true);
    // The build is already there (pretest): packing must not rebuild it.
    const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work.path], ROOT);
    expect(pack.code, pack.out).toBe(0);
    const tgz = readdirSync(work.path).find((n) => /^llama-orch-.+\.tgz$/.test(n));
    expect(tgz).toBeDefined();
    const prefix = join(work.path, 'prefix');
    const install = await run('npm', ['install', '-g', '--prefix', prefix, join(work.path, tgz!), '--no-audit', '--no-fund', '--prefer-offline'], work.path);
    if (install.code !== 0 && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|network/i.test(install.out)) {
      console.warn(`npm-install: skipped, the npm registry is not reachable for the dependencies: ${install.out.split('\n').slice(-3).join(' ')}`);
      ctx.skip();
    }
    expect(install.code, install.out).toBe(0);
    const pkg = join(prefix, 'lib', 'node_modules', 'llama-orch');
    expect(existsSync(join(pkg, 'dist', 'renderer', 'index.html'))).toBe(true);
    expect(existsSync(join(pkg, 'test'))).toBe(false); // only what runs is shipped

    const elsewhere = join(work.path, 'elsewhere');
    spawnSync('mkdir', ['-p', elsewhere]);
    serve = await startServe(['--model', STORIES_MODEL, '--engine', testEnginePath(), '--data-dir', join(work.path, 'data')], {
      command: join(prefix, 'bin', 'llama-orch'),
      cwd: elsewhere,
      timeoutMs: 90_000,
    });
    const chat = await fetch(`${serve.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'stories260K', messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8 }),
    });
    expect(chat.status).toBe(200);
    expect(((await chat.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content.length).toBeGreaterThan(0);
    const ui = await fetch(serve.loginUrl, { redirect: 'follow' });
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<div id="root">');
  }, 600_000);
});
