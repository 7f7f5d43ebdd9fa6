// Reads what placement needs from a GGUF file: its header and tensor table (never the weights),
// through the library's one GGUF reader (models/gguf-facts.ts), which also checks the file is whole.
import { resolve } from 'node:path';
import type { EstimatorInput } from '../../contract/placement.js';
import { readGguf } from '../models/gguf-facts.js';
import { estimatorInputFromGguf } from '../placement/gguf-facts.js';

export async function readEstimatorInput(path: string): Promise<EstimatorInput> {
  const file = resolve(path);
  let parsed;
  try {
    parsed = await readGguf(file, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`model file not found: ${file}`);
    throw err;
  }
  const tensorInfos = parsed.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: t.type }));
  return estimatorInputFromGguf({ metadata: parsed.metadata, tensorInfos }, parsed.sizeBytes);
}
