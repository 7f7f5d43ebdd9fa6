// An in-process core on a free port in a temporary data folder, by default with the real engine and
// the real model, for tests that need to reach inside (the engine's /slots, killing the engine,
// settings). `startTestCore({ enginePath: undefined }, [])` gives a core without engine or models.
import { get as httpGet } from 'node:http';
import type { DeploymentRole } from '../../electron/contract/index.js';
import { Core, type CoreOptions } from '../../electron/core/core.js';
import { testEnginePath } from './engine.js';
import { STORIES_MODEL } from './paths.js';
import { tempDir } from './tmp.js';

export interface TestCore {
  core: Core;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function startTestCore(
  opts: Partial<CoreOptions> = {},
  models: { id: string; reproducible?: boolean; role?: DeploymentRole; parallel?: number }[] = [{ id: 'stories260K' }],
): Promise<TestCore> {
  const data = tempDir();
  const core = new Core({ dataDir: data.path, host: '127.0.0.1', port: 0, enginePath: testEnginePath(), policy: { backoffBaseMs: 50 }, ...opts });
  for (const m of models) {
    core.deployments.addUnsaved({
      name: m.id,
      model: STORIES_MODEL,
      reproducible: m.reproducible ?? false,
      ...(m.role ? { role: m.role } : {}),
      ...(m.parallel ? { overrides: { parallel: m.parallel } } : {}),
    });
  }
  const url = await core.listen();
  return {
    core,
    url,
    dataDir: data.path,
    async close() {
      await core.stop();
      data.cleanup();
    },
  };
}

/** The engine's own view of its slots (is anything still generating?). */
/** On a connection of its own that is closed after the answer: a kept-alive one (fetch) would hold
 * one of the engine's HTTP threads for its 5 s keep-alive, a thread the test may need. */
export async function engineSlots(core: Core, modelId: string): Promise<{ id: number; is_processing: boolean }[]> {
  const inst = core.supervisor.findByModel(modelId)!;
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpGet(`${inst.baseUrl()}/slots`, { agent: false, headers: { authorization: `Bearer ${inst.apiKey}` } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`/slots answered ${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
  });
  return JSON.parse(body) as { id: number; is_processing: boolean }[];
}
