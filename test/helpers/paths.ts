// Paths of the project and its fixtures, for tests.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const STORIES_MODEL = join(FIXTURES, 'models', 'stories260K.gguf');
export const CLI = join(ROOT, 'bin', 'llama-orch.js');
