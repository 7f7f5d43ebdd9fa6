// Engine provisioning end to end: a local HTTP server plays the llama.cpp release source (GitHub
// releases-API JSON + a real tar.gz of the test engine), and the real installer downloads, resumes,
// verifies, unpacks, self-tests and registers it; the CLI imports offline; the API installs too.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AboutInfo, EngineListResponse, InstallEngineResponse, ProgressEvent } from '../../electron/contract/index.js';
import { Core } from '../../electron/core/core.js';
import { EngineError } from '../../electron/core/engines/installer.js';
import { EngineService } from '../../electron/core/engines/service.js';
import { testEnginePath } from '../helpers/engine.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { CLI, STORIES_MODEL } from '../helpers/paths.js';
import { isAlive } from '../helpers/processes.js';
import { startServe } from '../helpers/serve.js';
import { tempDir } from '../helpers/tmp.js';

const TAG = 'b9999';
const OS = { linux: 'ubuntu', darwin: 'macos', win32: 'win' }[process.platform as string];
const VARIANT = `${OS}-${process.arch}`;
const ASSET = `llama-${TAG}-bin-${VARIANT}.tar.gz`;
const API = '/repos/ggml-org/llama.cpp';
const RELEASE_COMMIT = '3d4e7a0'.padEnd(40, 'f');
const canRun = process.platform === 'linux' && process.arch === 'x64';
if (!canRun) console.warn('engines-install: skipped, the test engine archive is built for linux-x64 only');

/** A release archive shaped like llama.cpp's: everything under `llama-<tag>/`. */
function makeArchive(dir: string): { path: string; sha256: string; size: number } {
  const root = join(dir, 'src', `llama-${TAG}`);
  mkdirSync(root, { recursive: true });
  copyFileSync(testEnginePath(), join(root, 'llama-server'));
  writeFileSync(join(root, 'LICENSE'), 'MIT License\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\n');
  const path = join(dir, ASSET);
  execFileSync('tar', ['-czf', path, '-C', join(dir, 'src'), `llama-${TAG}`]);
  return { path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex'), size: statSync(path).size };
}

function releaseJson(url: string, archive: { sha256: string; size: number }, digest = `sha256:${archive.sha256}`): string {
  return JSON.stringify({
    tag_name: TAG,
    name: TAG,
    published_at: '2026-09-26T10:00:00Z',
    target_commitish: RELEASE_COMMIT,
    assets: [
      { name: ASSET, size: archive.size, digest, browser_download_url: `${url}/dl/${ASSET}` },
      { name: `llama-${TAG}-bin-${OS}-vulkan-${process.arch}.tar.gz`, size: 10, digest: `sha256:${'0'.repeat(64)}`, browser_download_url: `${url}/dl/none` },
      { name: `llama-${TAG}-xcframework.zip`, size: 10, digest: null, browser_download_url: `${url}/dl/none` },
    ],
  });
}

function engineDirs(dataDir: string): string[] {
  return existsSync(join(dataDir, 'engines')) ? readdirSync(join(dataDir, 'engines')) : [];
}

describe.skipIf(!canRun)('engine installation from a release source', () => {
  const work = tempDir();
  let server: FileServer;
  let archive: { path: string; sha256: string; size: number };
  let data: ReturnType<typeof tempDir>;
  let service: EngineService;
  let progress: ProgressEvent[];

  beforeAll(async () => {
    archive = makeArchive(work.path);
    server = await startFileServer();
    server.routes.set(`/dl/${ASSET}`, { file: archive.path });
  });
  afterAll(async () => {
    await server.close();
    work.cleanup();
  });
  beforeEach(() => {
    data = tempDir();
    progress = [];
    server.faults.cutAfterBytes = null;
    server.log.length = 0;
    server.routes.set(`${API}/releases/tags/${TAG}`, { body: releaseJson(server.url, archive), contentType: 'application/json' });
    service = new EngineService({ enginesDir: join(data.path, 'engines'), downloadsDir: join(data.path, 'downloads'), releaseSource: `${server.url}${API}`, defaultTag: TAG });
    return () => data.cleanup();
  });

  it('chooses the CPU build on a machine without GPU, installs it atomically and records its self-test', async () => {
    const { engine, choice } = await service.install({ onProgress: (p) => progress.push(p) });
    expect(choice).toMatchObject({ variant: VARIANT, backend: 'cpu', overridden: false, assets: [ASSET] });
    expect(choice.reason).toMatch(/No GPU was detected/);
    expect(engine.id).toBe(`${TAG}-${VARIANT}`);
    expect(engineDirs(data.path)).toEqual([engine.id]); // no staging folder left behind
    expect(readdirSync(join(data.path, 'downloads'))).toEqual([]); // the archive is deleted once unpacked
    const manifest = JSON.parse(readFileSync(join(engine.dir, 'engine.json'), 'utf8'));
    expect(manifest).toMatchObject({ tag: TAG, variant: VARIANT, backend: 'cpu', source: { kind: 'release', archives: [{ name: ASSET, sha256: archive.sha256, bytes: archive.size }] } });
    expect(manifest.selfTest.ok).toBe(true);
    expect(manifest.selfTest.version).toMatch(/^version: /);
    expect(manifest.selfTest.listDevicesOutput).toContain('Available devices');
    // Provenance: release, archive URL and digest, the commit the build states, its licence file.
    expect(engine).toMatchObject({ tag: TAG, variant: VARIANT, digest: archive.sha256, commit: manifest.selfTest.commit, license: { spdx: 'MIT', basis: 'file', files: ['LICENSE'] } });
    expect(engine.source).toMatchObject({
      kind: 'release',
      location: `${server.url}${API}/releases/tags/${TAG}`,
      publishedAt: '2026-09-26T10:00:00Z',
      commit: RELEASE_COMMIT,
      archives: [{ name: ASSET, sha256: archive.sha256, url: `${server.url}/dl/${ASSET}` }],
    });
    // The installed engine answers --version by itself.
    const out = execFileSync(engine.binary, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out + manifest.selfTest.versionOutput).toContain('version:');
    expect(service.list().map((e) => e.id)).toEqual([engine.id]);
    // Progress: one job id, bytes never go backwards, ends done at the archive size.
    expect(new Set(progress.map((p) => p.id))).toEqual(new Set([`engine-install:${engine.id}`]));
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.bytes).toBeGreaterThanOrEqual(progress[i - 1]!.bytes);
    expect(progress.at(-1)).toMatchObject({ state: 'done', bytes: archive.size, totalBytes: archive.size });
    // A second install is a no-op.
    expect((await service.install()).alreadyInstalled).toBe(true);
  });

  it('resumes a download cut half-way with a Range request, then installs', async () => {
    server.faults.cutAfterBytes = Math.floor(archive.size / 2);
    const err = await service.install().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('download');
    expect(engineDirs(data.path)).toEqual([]);
    const part = join(data.path, 'downloads', `${ASSET}.part`);
    const kept = statSync(part).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(archive.size / 2);

    server.faults.cutAfterBytes = null;
    const { engine } = await service.install();
    expect(server.log.filter((l) => l.path === `/dl/${ASSET}`).at(-1)!.range).toBe(`bytes=${kept}-`);
    expect(existsSync(engine.binary)).toBe(true);
    expect(JSON.parse(readFileSync(join(engine.dir, 'engine.json'), 'utf8')).source.archives[0].sha256).toBe(archive.sha256);
  });

  it('installs nothing when the digest does not match, and says so', async () => {
    server.routes.set(`${API}/releases/tags/${TAG}`, { body: releaseJson(server.url, archive, `sha256:${'ab'.repeat(32)}`), contentType: 'application/json' });
    const err = (await service.install({ onProgress: (p) => progress.push(p) }).catch((e: unknown) => e)) as EngineError;
    expect(err.code).toBe('checksum_mismatch');
    expect(err.message).toContain('ab'.repeat(32));
    expect(err.message).toContain('nothing was installed');
    expect(engineDirs(data.path)).toEqual([]);
    expect(readdirSync(join(data.path, 'downloads'))).toEqual([]);
    expect(progress.at(-1)).toMatchObject({ state: 'failed' });
  });

  it('refuses an override the release does not offer, listing what it does', async () => {
    await expect(service.install({ variant: 'cuda' })).rejects.toThrow(new RegExp(`not offered.*${VARIANT}`));
    await expect(service.install({ tag: '../etc' })).rejects.toThrow(/invalid release tag/);
    expect(engineDirs(data.path)).toEqual([]);
  });

  it('reads the same release shape from a local folder (air-gapped mirror)', async () => {
    const mirror = join(work.path, 'mirror');
    mkdirSync(join(mirror, 'releases', 'tags'), { recursive: true });
    const json = JSON.parse(releaseJson('http://unused', archive));
    json.assets[0].browser_download_url = `../../${ASSET}`; // relative to the metadata file
    copyFileSync(archive.path, join(mirror, ASSET));
    execFileSync('sh', ['-c', `cat > '${join(mirror, 'releases', 'tags', `${TAG}.json`)}'`], { input: JSON.stringify(json) });
    const local = new EngineService({ enginesDir: join(data.path, 'engines'), downloadsDir: join(data.path, 'downloads'), releaseSource: `file://${mirror}`, defaultTag: TAG });
    const { engine } = await local.install();
    expect(engine.id).toBe(`${TAG}-${VARIANT}`);
    expect(existsSync(join(mirror, ASSET))).toBe(true); // the mirror's file is not consumed
  });

  it('installs offline with `llama-orch engines import`, verifying --sha256, and removes with `engines remove`', () => {
    const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, 'engines', ...args, '--data-dir', data.path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    let failed: { status: number; stderr: string } | null = null;
    try {
      cli('import', archive.path, '--sha256', 'cd'.repeat(32));
    } catch (e) {
      failed = e as { status: number; stderr: string };
    }
    expect(failed?.status).toBe(1);
    expect(failed?.stderr).toMatch(/checksum mismatch.*nothing was installed/);
    expect(engineDirs(data.path)).toEqual([]);

    expect(cli('import', archive.path, '--sha256', archive.sha256)).toContain(`installed engine ${TAG}-${VARIANT}`);
    const listed = JSON.parse(cli('list', '--json')) as EngineListResponse;
    expect(listed.data).toEqual([expect.objectContaining({ id: `${TAG}-${VARIANT}`, tag: TAG, variant: VARIANT, backend: 'cpu', digest: archive.sha256 })]);
    expect(listed.data[0]!.source).toMatchObject({ kind: 'import', location: archive.path, archives: [{ name: ASSET, sha256: archive.sha256, url: archive.path }] });
    expect(cli('list')).toContain(`tag ${TAG} · commit ${listed.data[0]!.commit} · sha256 ${archive.sha256} · licence MIT · from ${archive.path}`);
    // `llama-orch --version --json` lists the same build with its provenance and licence.
    const about = JSON.parse(execFileSync(process.execPath, [CLI, '--version', '--json', '--data-dir', data.path], { encoding: 'utf8' })) as AboutInfo;
    expect(about).toMatchObject({ name: 'llama-orch', license: 'MIT', runtime: { node: process.versions.node } });
    expect(about.engines).toEqual([
      {
        id: `${TAG}-${VARIANT}`,
        tag: TAG,
        commit: listed.data[0]!.commit,
        variant: VARIANT,
        backend: 'cpu',
        digest: archive.sha256,
        sourceUrl: archive.path,
        license: { spdx: 'MIT', basis: 'file', files: ['LICENSE'] },
      },
    ]);
    expect(cli('remove', `${TAG}-${VARIANT}`)).toContain('removed');
    expect(engineDirs(data.path)).toEqual([]);
  });

  it('refuses `engines remove` while a separate `llama-orch serve` runs that engine, and removes it once stopped', async () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'engines', ...args, '--data-dir', data.path], { encoding: 'utf8' });
    const id = `${TAG}-${VARIANT}`;
    expect(cli('import', archive.path, '--sha256', archive.sha256).status).toBe(0);
    const serve = await startServe(['--model', STORIES_MODEL, '--engine', join(data.path, 'engines', id), '--data-dir', data.path]);
    const enginePid = serve.enginePids.get('stories260K')!;
    try {
      const refused = cli('remove', id);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain(`engine '${id}' is running instance(s) stories260K (engine pid ${enginePid}, started by llama-orch pid ${serve.proc.pid})`);
      expect(engineDirs(data.path)).toEqual([id]);
    } finally {
      await serve.stop();
    }
    expect(isAlive(enginePid)).toBe(false);
    const removed = cli('remove', id);
    expect(removed.stdout).toContain(`removed engine ${id}`);
    expect(engineDirs(data.path)).toEqual([]);
  });

  it('installs, lists and removes through the admin API, with progress on the event stream', async () => {
    const prev = process.env.LLAMA_ORCH_ENGINE_SOURCE;
    process.env.LLAMA_ORCH_ENGINE_SOURCE = `${server.url}${API}`;
    const core = new Core({ dataDir: data.path, host: '127.0.0.1', port: 0 });
    try {
      const url = await core.listen();
      const auth = { authorization: `Bearer ${core.auth.adminToken}`, 'content-type': 'application/json' };
      const events: ProgressEvent[] = [];
      const unsubscribe = core.events.subscribe((e) => e.type === 'progress' && events.push(e));
      const bad = await fetch(`${url}/api/v1/engines/install`, { method: 'POST', headers: auth, body: JSON.stringify({ tag: 5 }) });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { param: string } }).error.param).toBe('tag');
      const res = await fetch(`${url}/api/v1/engines/install`, { method: 'POST', headers: auth, body: JSON.stringify({ tag: TAG, wait: true }) });
      expect(res.status).toBe(201);
      const body = (await res.json()) as InstallEngineResponse;
      expect(body.engine?.id).toBe(`${TAG}-${VARIANT}`);
      expect(events.at(-1)).toMatchObject({ kind: 'engine-install', id: body.jobId, state: 'done' });
      unsubscribe();
      const list = (await (await fetch(`${url}/api/v1/engines`, { headers: auth })).json()) as EngineListResponse;
      expect(list.data.map((e) => e.id)).toEqual([`${TAG}-${VARIANT}`]);
      expect(list.data[0]).toMatchObject({ digest: archive.sha256, license: { spdx: 'MIT', basis: 'file' }, source: { kind: 'release', archives: [{ url: `${server.url}/dl/${ASSET}` }] } });
      const del = await fetch(`${url}/api/v1/engines/${TAG}-${VARIANT}`, { method: 'DELETE', headers: auth });
      expect(del.status).toBe(204);
      const again = await fetch(`${url}/api/v1/engines/${TAG}-${VARIANT}`, { method: 'DELETE', headers: auth });
      expect(again.status).toBe(404);
    } finally {
      await core.stop();
      if (prev === undefined) delete process.env.LLAMA_ORCH_ENGINE_SOURCE;
      else process.env.LLAMA_ORCH_ENGINE_SOURCE = prev;
    }
  });
  it('follows the settings: a company mirror and a pinned tag, or offline with imports only', async () => {
    const core = new Core({ dataDir: data.path, host: '127.0.0.1', port: 0 });
    try {
      const url = await core.listen();
      const auth = { authorization: `Bearer ${core.auth.adminToken}`, 'content-type': 'application/json' };
      const install = () => fetch(`${url}/api/v1/engines/install`, { method: 'POST', headers: auth, body: JSON.stringify({ wait: true }) });
      core.settings.update({ engines: { releaseSource: 'offline' } });
      const offline = await install();
      expect(offline.status).toBe(400);
      expect(((await offline.json()) as { error: { message: string } }).error.message).toMatch(/offline.*engines import/);
      expect(engineDirs(data.path)).toEqual([]);
      core.settings.update({ engines: { releaseSource: 'mirror', mirrorUrl: `${server.url}${API}`, tag: TAG } });
      const res = await install();
      expect(res.status).toBe(201);
      expect(((await res.json()) as InstallEngineResponse).engine?.id).toBe(`${TAG}-${VARIANT}`);
      expect(server.log.some((l) => l.path === `${API}/releases/tags/${TAG}`)).toBe(true);
      const list = (await (await fetch(`${url}/api/v1/engines`, { headers: auth })).json()) as EngineListResponse;
      expect(list).toMatchObject({ releaseSource: `${server.url}${API}`, defaultTag: TAG });
    } finally {
      await core.stop();
    }
  });
});
