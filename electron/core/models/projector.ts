// Vision projectors (llama.cpp's `mmproj` GGUF files): which file pairs with a model, in a Hub
// listing or in the folder a model is imported from. One rule for both, so a pull and an import of
// the same repo pair the same file.
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ModelError } from './errors.js';
import { shardName } from './files.js';

/** llama.cpp's converters name projectors `mmproj-*.gguf` (also `*-mmproj-*.gguf`, `*.mmproj.gguf`). */
export function isProjectorName(path: string): boolean {
  return /(^|[/._-])mmproj[^/]*\.gguf$/i.test(path);
}

/** Precision preference when a folder holds several projectors: the common default first. */
const PRECISION = ['f16', 'bf16', 'f32', 'q8_0'];

/**
 * The projector among `paths` (same folder as the model) that pairs with it: the only one, else
 * the one naming the model's stem, else by precision (F16 first), else the first by name. Null when
 * there is none.
 */
export function chooseProjector(paths: string[], modelFile: string): string | null {
  let candidates = paths.filter(isProjectorName).sort((a, b) => a.localeCompare(b));
  if (candidates.length <= 1) return candidates[0] ?? null;
  const stem = basename(modelFile)
    .replace(/\.gguf$/i, '')
    .replace(/[-_.](i?q\d\w*|f16|bf16|f32)$/i, '')
    .toLowerCase();
  const named = candidates.filter((p) => stem.length > 0 && basename(p).toLowerCase().includes(stem));
  if (named.length > 0) candidates = named;
  const rank = (p: string) => {
    const i = PRECISION.findIndex((t) => new RegExp(`[-_.]${t}[-_.]`, 'i').test(`${basename(p)}.`.replace(/\.gguf\.$/i, '.')));
    return i < 0 ? PRECISION.length : i;
  };
  return [...candidates].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0]!;
}

/** The projector in the same folder as a model file on disk, or null. */
export function projectorBeside(modelPath: string): string | null {
  let names: string[];
  try {
    names = readdirSync(dirname(modelPath));
  } catch {
    return null;
  }
  const own = basename(modelPath);
  const found = chooseProjector(
    names.filter((n) => n !== own),
    own,
  );
  return found ? join(dirname(modelPath), found) : null;
}

/**
 * The one model in a folder given to `models import`: its GGUF files that are not projectors, a split
 * model counted once (by its first shard). None or several: an error listing what is there.
 */
export function modelInFolder(dir: string): string {
  const ggufs = readdirSync(dir).filter((n) => /\.gguf$/i.test(n) && !isProjectorName(n));
  const models = ggufs.filter((n) => (shardName(n)?.index ?? 1) === 1).sort();
  if (models.length === 1) return join(dir, models[0]!);
  if (models.length === 0) throw new ModelError('file_not_found', `${dir} holds no GGUF model file; import a .gguf file or a folder with one model in it`, 'path');
  throw new ModelError('file_not_found', `${dir} holds several models (${models.join(', ')}); import one of the files instead`, 'path');
}
