#!/usr/bin/env node
// Prints the absolute path of a real `llama-server` for tests and benchmarks, building it first
// when it is not cached. The llama.cpp source comes from the npm registry (node-llama-cpp ships it
// as a git bundle), so no network beyond npm is needed. The build is CPU-only, portable
// (GGML_NATIVE=OFF) and static, cached under ~/.cache/llama-orch/test-engine/<key>/.
// Progress goes to stderr; stdout carries only the path. Runs on Linux, macOS and Windows (MSVC puts
// the binary under bin/Release/ and names it .exe; npm is npm.cmd there, which needs a shell).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, copyFileSync, chmodSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';

export const NODE_LLAMA_CPP_VERSION = '3.22.1';

const cacheRoot = process.env.LLAMA_ORCH_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'llama-orch');
// '-rpc': built with GGML_RPC=ON, so llama-server takes --rpc and the RPC worker binary sits beside it.
const key = `node-llama-cpp-${NODE_LLAMA_CPP_VERSION}-rpc`;
const dir = join(cacheRoot, 'test-engine', key);
const windows = process.platform === 'win32';
const exe = windows ? '.exe' : '';
const binary = join(dir, 'bin', `llama-server${exe}`);

function log(msg) {
  process.stderr.write(`[test-engine] ${msg}\n`);
}
function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts, encoding: 'utf8' });
}
function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function build() {
  const work = mkdtempSync(join(tmpdir(), 'llama-orch-engine-'));
  try {
    const started = Date.now();
    log(`building llama-server from node-llama-cpp@${NODE_LLAMA_CPP_VERSION} in ${work} (first time only, ~6 min on 2 cores)`);
    // Windows: npm is a .cmd script, which Node only starts through a shell (the arguments are plain).
    run('npm', ['pack', `node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`, '--silent'], { cwd: work, shell: windows });
    run('tar', ['xzf', `node-llama-cpp-${NODE_LLAMA_CPP_VERSION}.tgz`, 'package/llama/gitRelease.bundle', 'package/llama/llama.cpp.info.json'], { cwd: work });
    const info = JSON.parse(readFileSync(join(work, 'package/llama/llama.cpp.info.json'), 'utf8'));
    run('git', ['-c', 'advice.detachedHead=false', 'clone', '--quiet', join(work, 'package/llama/gitRelease.bundle'), 'src'], { cwd: work });
    const src = join(work, 'src');
    const jobs = String(Math.max(1, cpus().length));
    run(
      'cmake',
      [
        '-S',
        src,
        '-B',
        join(src, 'build'),
        '-DCMAKE_BUILD_TYPE=Release',
        '-DGGML_NATIVE=OFF',
        '-DLLAMA_CURL=OFF',
        '-DBUILD_SHARED_LIBS=OFF',
        '-DLLAMA_BUILD_TESTS=OFF',
        '-DLLAMA_BUILD_EXAMPLES=OFF',
        '-DLLAMA_BUILD_SERVER=ON',
        '-DLLAMA_BUILD_TOOLS=ON',
        '-DGGML_OPENMP=OFF',
        '-DGGML_RPC=ON',
        // CPU-only everywhere: CI's macOS VMs have no usable Metal device.
        ...(process.platform === 'darwin' ? ['-DGGML_METAL=OFF'] : []),
      ],
      { cwd: src },
    );
    run('cmake', ['--build', join(src, 'build'), '--config', 'Release', '--target', 'llama-server', 'ggml-rpc-server', '-j', jobs], { cwd: src });
    const staging = `${dir}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(join(staging, 'bin'), { recursive: true });
    // Single-config generators (Make, Ninja) write build/bin/; multi-config ones (MSVC, Xcode) add the config.
    const built = [join(src, 'build', 'bin', `llama-server${exe}`), join(src, 'build', 'bin', 'Release', `llama-server${exe}`)].find((p) => existsSync(p));
    if (!built) throw new Error('the build produced no llama-server binary');
    copyFileSync(built, join(staging, 'bin', `llama-server${exe}`));
    chmodSync(join(staging, 'bin', `llama-server${exe}`), 0o755);
    // The RPC worker (llama.cpp names the target ggml-rpc-server; release archives call it rpc-server).
    const rpc = [join(src, 'build', 'bin', `ggml-rpc-server${exe}`), join(src, 'build', 'bin', 'Release', `ggml-rpc-server${exe}`)].find((p) => existsSync(p));
    if (!rpc) throw new Error('the build produced no ggml-rpc-server binary');
    copyFileSync(rpc, join(staging, 'bin', `rpc-server${exe}`));
    chmodSync(join(staging, 'bin', `rpc-server${exe}`), 0o755);
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: src, encoding: 'utf8' }).trim();
    const seconds = Math.round((Date.now() - started) / 1000);
    const meta = { nodeLlamaCpp: NODE_LLAMA_CPP_VERSION, tag: info.tag, commit, buildSeconds: seconds, builtAt: new Date().toISOString() };
    writeFileSync(join(staging, 'build-info.json'), JSON.stringify(meta, null, 2) + '\n');
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    log(`built in ${seconds} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function withLock(fn) {
  const lock = `${dir}.lock`;
  mkdirSync(join(cacheRoot, 'test-engine'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another process is building; a lock older than 1 h is stale (a killed build).
      try {
        if (Date.now() - statSync(lock).mtimeMs > 3600_000) {
          rmSync(lock, { recursive: true, force: true });
          continue;
        }
      } catch {
        continue;
      }
      if (existsSync(binary)) return;
      sleep(2000);
    }
  }
  try {
    if (!existsSync(binary)) fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (!existsSync(binary)) withLock(build);
process.stdout.write(binary + '\n');
