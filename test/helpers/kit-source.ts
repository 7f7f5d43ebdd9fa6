// A data dir worth carrying in an offline kit: an engine imported from a release-shaped archive of the
// test engine, stories260K in the library, a saved deployment pinned to that engine, and an HF token.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Core } from '../../electron/core/core.js';
import { testEnginePath } from './engine.js';
import { STORIES_MODEL } from './paths.js';

export const TAG = 'b9001';
export const VARIANT = `ubuntu-${process.arch}`;
export const ENGINE_ID = `${TAG}-${VARIANT}`;
export const KIT_HF_TOKEN = 'hf_SECRETTOKEN_kit_test';

/** A data dir holding an engine (imported from a release-shaped archive), stories260K and a deployment. */
export async function sourceDataDir(dir: string, work: string): Promise<void> {
  const root = join(work, 'src', `llama-${TAG}`);
  mkdirSync(root, { recursive: true });
  copyFileSync(testEnginePath(), join(root, 'llama-server'));
  const archive = join(work, `llama-${TAG}-bin-${VARIANT}.tar.gz`);
  execFileSync('tar', ['-czf', archive, '-C', join(work, 'src'), `llama-${TAG}`]);
  const core = new Core({ dataDir: dir });
  await core.engines.importArchive(archive);
  const model = await core.library.import(STORIES_MODEL);
  await core.deployments.create({ model: model.id, name: 'demo', aliases: ['story'], engine: ENGINE_ID, overrides: { parallel: 1, contextSize: 256 } });
  core.settings.update({ hub: { token: KIT_HF_TOKEN } });
  await core.stop();
}
