// Engine removals rename the folder to `.removing-*` first; one a locked DLL or a crash interrupted
// is cleared at the next start, and nothing else in the engines folder is touched.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineService } from '../../../electron/core/engines/service.js';
import { tempDir } from '../../helpers/tmp.js';

describe('leftovers of interrupted engine removals', () => {
  it('are removed when the engine service starts; installed engines stay', () => {
    const dir = tempDir('engines-');
    try {
      const engines = join(dir.path, 'engines');
      mkdirSync(join(engines, '.removing-b6550-cuda-12.4-x64-1733300000000'), { recursive: true });
      writeFileSync(join(engines, '.removing-b6550-cuda-12.4-x64-1733300000000', 'ggml-cuda.dll'), 'x');
      mkdirSync(join(engines, 'b6551-cpu-x64'), { recursive: true });
      writeFileSync(join(engines, 'b6551-cpu-x64', 'llama-server'), '#!/bin/sh\n');
      new EngineService({ enginesDir: engines, downloadsDir: join(dir.path, 'downloads') });
      expect(existsSync(join(engines, '.removing-b6550-cuda-12.4-x64-1733300000000'))).toBe(false);
      expect(existsSync(join(engines, 'b6551-cpu-x64', 'llama-server'))).toBe(true);
    } finally {
      dir.cleanup();
    }
  });
});
