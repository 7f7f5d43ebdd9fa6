// The appliance's journey, run as one process tree so `strace -f` sees every connect() of it:
// import an offline kit, start `llama-orch serve` with default settings, chat through the API (the
// model loads on that request), stop. Prints one JSON line with what happened.
// Usage: node egress-journey.mjs <cli> <kit dir> <data dir> <model>
import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const [cli, kitDir, dataDir, model] = process.argv.slice(2);
execFileSync(process.execPath, [cli, 'kit', 'import', kitDir, '--data-dir', dataDir], { stdio: ['ignore', 'ignore', 'inherit'] });
const serve = spawn(process.execPath, [cli, 'serve', '--port', '0', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
const exited = new Promise((resolve) => serve.on('exit', (code) => resolve(code)));
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error('serve did not start within 120 s')), 120_000);
  createInterface({ input: serve.stdout }).on('line', (line) => {
    const m = /serving on (http:\/\/\S+)/.exec(line);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
});
let result;
try {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 8, temperature: 0 }),
  });
  const body = await res.json();
  result = { status: res.status, content: body.choices?.[0]?.message?.content ?? null, error: body.error?.message ?? null };
} finally {
  serve.kill('SIGTERM');
}
result.serveExit = await exited;
process.stdout.write(`${JSON.stringify(result)}\n`);
