// The model library's public surface for the core's composition root.
import type { InstanceInfo, ModelManifest } from '../../contract/index.js';

export { ModelError } from './errors.js';
export { hubConfig, searchHub, type HubConfig } from './hub.js';
export { ModelLibrary } from './library.js';
export { PullManager } from './pull.js';

/** Whether an engine instance (not stopped) serves the model: by model id or by one of its file paths. */
export function modelInUse(instances: InstanceInfo[], model: ModelManifest | undefined): boolean {
  if (!model) return false;
  const paths = new Set(model.files.map((f) => f.path));
  return instances.some((i) => i.state !== 'stopped' && (i.modelId === model.id || paths.has(i.modelPath)));
}
