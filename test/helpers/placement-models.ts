// EstimatorInput of the realistic shapes without writing files: the same metadata and tensor table a
// GGUF reader would return, fed straight to the converter.
import type { EstimatorInput } from '../../electron/contract/placement.js';
import { estimatorInputFromGguf } from '../../electron/core/placement/gguf-facts.js';
import { type ModelShape, shapeMetadata, shapeTensors } from './model-shapes.js';
import { tensorBytes } from './gguf-writer.js';

export function shapeInput(s: ModelShape): EstimatorInput {
  const metadata = Object.fromEntries(Object.entries(shapeMetadata(s)).map(([k, v]) => [k, v.value]));
  const tensors = shapeTensors(s);
  const fileBytes = tensors.reduce((a, t) => a + tensorBytes(t), 0);
  return estimatorInputFromGguf({ metadata, tensorInfos: tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: t.type })) }, fileBytes);
}
