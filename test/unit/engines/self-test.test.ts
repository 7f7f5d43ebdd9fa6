// Parsing what llama-server says about itself (--version, --list-devices, --help).
import { describe, expect, it } from 'vitest';
import { hasTraceVerbosity, parseListDevices, parseVersion } from '../../../electron/core/engines/self-test.js';

describe('engine self-test parsers', () => {
  it('reads release and source-build version lines', () => {
    expect(parseVersion('ggml_cuda_init: found 1 CUDA devices\nversion: 6550 (3d4e7a05)\nbuilt with cc 11.4.0 for x86_64-linux-gnu')).toEqual({
      version: 'version: 6550 (3d4e7a05)',
      build: 6550,
      commit: '3d4e7a05',
    });
    expect(parseVersion('0.00.000.209 I srv  llama_server: initializing ...\nversion: 0.5.0-dev (build 1, commit de3ff81)\n')).toEqual({
      version: 'version: 0.5.0-dev (build 1, commit de3ff81)',
      build: 1,
      commit: 'de3ff81',
    });
    expect(parseVersion('error while loading shared libraries')).toEqual({ version: null, build: null, commit: null });
  });

  it('reads devices with their memory, and none on a CPU-only build', () => {
    const out =
      'ggml_vulkan: Found 2 Vulkan devices:\nAvailable devices:\n  CUDA0: NVIDIA GeForce RTX 4090 (24564 MiB, 23012 MiB free)\n  Vulkan1: Intel(R) Arc(TM) A770 Graphics (DG2) (16032 MiB, 16032 MiB free)\n  Metal: Apple M2\n';
    expect(parseListDevices(out)).toEqual([
      { id: 'CUDA0', name: 'NVIDIA GeForce RTX 4090', totalMiB: 24564, freeMiB: 23012 },
      { id: 'Vulkan1', name: 'Intel(R) Arc(TM) A770 Graphics (DG2)', totalMiB: 16032, freeMiB: 16032 },
      { id: 'Metal', name: 'Apple M2', totalMiB: null, freeMiB: null },
    ]);
    expect(parseListDevices('Available devices:\n  (none)\n')).toEqual([]);
  });

  it('recognises the verbosity scale whose level 4 is trace, not debug', () => {
    expect(hasTraceVerbosity(' - 0: generic output\n - 1: error\n - 2: warning\n - 3: info\n - 4: trace (more info)\n - 5: debug\n')).toBe(true);
    expect(hasTraceVerbosity('-lv, --verbosity N   Set the verbosity threshold. Messages with a higher verbosity will be ignored.')).toBe(false);
  });
});
