// Reads what placement needs from a GGUF file: its header and tensor table (never the weights).
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gguf } from '@huggingface/gguf';
import type { EstimatorInput } from '../../contract/placement.js';
import { estimatorInputFromGguf } from '../placement/gguf-facts.js';

export async function readEstimatorInput(path: string): Promise<EstimatorInput> {
  const file = resolve(path);
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) throw new Error(`model file not found: ${file}`);
  let parsed;
  try {
    parsed = await gguf(file, { allowLocalFile: true });
  } catch (err) {
    throw new Error(`${file} is not a readable GGUF file: ${(err as Error).message}`);
  }
  return estimatorInputFromGguf({ metadata: parsed.metadata as unknown as Record<string, unknown>, tensorInfos: parsed.tensorInfos }, info.size);
}
