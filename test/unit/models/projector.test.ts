// Which vision projector (mmproj GGUF) pairs with a model: in a Hub listing and in a folder on disk,
// by one rule, and which model a folder given to `models import` holds.
import type { ListFileEntry } from '@huggingface/hub';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectorEntry } from '../../../electron/core/models/hub.js';
import { chooseProjector, isProjectorName, modelInFolder, projectorBeside } from '../../../electron/core/models/projector.js';
import { tempDir } from '../../helpers/tmp.js';

const f = (path: string): ListFileEntry => ({ type: 'file', path, size: 1, lfs: { oid: 'x', size: 1, pointerSize: 1 } });

describe('vision projector pairing', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.cleanup());

  it('knows llama.cpp projector names and no model names', () => {
    for (const n of ['mmproj-model-f16.gguf', 'sub/mmproj-F16.gguf', 'gemma-3-4b-it-mmproj-bf16.gguf', 'model.mmproj.gguf']) expect(isProjectorName(n)).toBe(true);
    for (const n of ['Llama-3.2-1B-Q4_K_M.gguf', 'mmproj-notes.txt', 'mmprojector/model.gguf']) expect(isProjectorName(n)).toBe(false);
  });

  it('chooses the only projector, else the one naming the model, else F16 before BF16 and F32', () => {
    expect(chooseProjector(['a-Q4_K_M.gguf', 'README.md'], 'a-Q4_K_M.gguf')).toBeNull();
    expect(chooseProjector(['mmproj-x.gguf'], 'a-Q4_K_M.gguf')).toBe('mmproj-x.gguf');
    expect(chooseProjector(['mmproj-F32.gguf', 'mmproj-BF16.gguf', 'mmproj-F16.gguf'], 'a-Q4_K_M.gguf')).toBe('mmproj-F16.gguf');
    expect(chooseProjector(['mmproj-other-f16.gguf', 'mmproj-gemma-3-4b-it-f32.gguf'], 'gemma-3-4b-it-Q4_K_M.gguf')).toBe('mmproj-gemma-3-4b-it-f32.gguf');
  });

  it('pairs a Hub file with the projector in its own folder only, and a projector with nothing', () => {
    const repo = [f('m-Q4_K_M.gguf'), f('mmproj-F16.gguf'), f('mmproj-F32.gguf'), f('big/m-Q8_0.gguf'), f('other/mmproj-F16.gguf')];
    expect(projectorEntry('m-Q4_K_M.gguf', repo)?.path).toBe('mmproj-F16.gguf');
    expect(projectorEntry('big/m-Q8_0.gguf', repo)).toBeNull();
    expect(projectorEntry('mmproj-F16.gguf', repo)).toBeNull();
    expect(projectorEntry('other/x.gguf', [...repo, f('other/x.gguf')])?.path).toBe('other/mmproj-F16.gguf');
  });

  it('finds the projector beside a file on disk, and the one model in a folder', () => {
    const model = join(dir.path, 'm-Q4_K_M.gguf');
    writeFileSync(model, 'GGUF');
    expect(projectorBeside(model)).toBeNull();
    writeFileSync(join(dir.path, 'mmproj-m-f16.gguf'), 'GGUF');
    expect(projectorBeside(model)).toBe(join(dir.path, 'mmproj-m-f16.gguf'));
    expect(modelInFolder(dir.path)).toBe(model);
    writeFileSync(join(dir.path, 'n-Q8_0.gguf'), 'GGUF');
    expect(() => modelInFolder(dir.path)).toThrow(/holds several models \(m-Q4_K_M.gguf, n-Q8_0.gguf\)/);
    const split = join(dir.path, 'split');
    mkdirSync(split);
    for (const n of ['s-00001-of-00002.gguf', 's-00002-of-00002.gguf', 'mmproj-s.gguf']) writeFileSync(join(split, n), 'GGUF');
    expect(modelInFolder(split)).toBe(join(split, 's-00001-of-00002.gguf'));
    const empty = join(dir.path, 'empty');
    mkdirSync(empty);
    expect(() => modelInFolder(empty)).toThrow(/holds no GGUF model file/);
  });
});
