// Offline CUDA imports pair the engine with its cudart runtime archive, and a GPU build that lists
// none of its devices fails the self-test instead of being recorded as GPU and running on the CPU.
import { describe, expect, it } from 'vitest';
import { missingDevice } from '../../../electron/core/engines/installer.js';
import { parseAssetName } from '../../../electron/core/engines/release.js';
import { withRuntime } from '../../../electron/core/engines/service.js';

const dev = (id: string) => ({ id, name: 'x', totalMiB: null, freeMiB: null });

describe('self-test device check', () => {
  it('fails a CUDA build that lists no CUDA device, saying the cudart runtime may be missing', () => {
    expect(missingDevice('cuda', [])).toMatch(/the CUDA build lists no device in `llama-server --list-devices`, no CUDA device: its CUDA runtime \(the cudart archive/);
    expect(missingDevice('cuda', [dev('Vulkan0')])).toMatch(/lists Vulkan0/);
  });

  it("passes when the backend's own device is listed (CUDA0, ROCm0, Vulkan1, Metal, MTL0)", () => {
    expect(missingDevice('cuda', [dev('CUDA0')])).toBeNull();
    expect(missingDevice('rocm', [dev('ROCm0')])).toBeNull();
    expect(missingDevice('vulkan', [dev('Vulkan1')])).toBeNull();
    expect(missingDevice('metal', [dev('Metal')])).toBeNull();
    expect(missingDevice('metal', [dev('MTL0')])).toBeNull();
  });

  it('does not ask a CPU build (or an unknown one) for a GPU', () => {
    expect(missingDevice('cpu', [])).toBeNull();
    expect(missingDevice(null, [])).toBeNull();
    expect(missingDevice('other', [])).toBeNull();
    expect(missingDevice('vulkan', [])).toMatch(/no Vulkan device/);
  });
});

describe('cudart pairing for offline imports', () => {
  const main = 'D:\\kit\\llama-b6550-bin-win-cuda-12.4-x64.zip'.replace(/\\/g, '/');
  const parsed = parseAssetName('llama-b6550-bin-win-cuda-12.4-x64.zip');

  it('picks up the cudart archive of the same CUDA version lying beside the engine archive', () => {
    const list = () => ['llama-b6550-bin-win-cuda-12.4-x64.zip', 'cudart-llama-bin-win-cuda-13.1-x64.zip', 'cudart-llama-bin-win-cuda-12.4-x64.zip'];
    expect(withRuntime(main, parsed, [], list)).toEqual(['D:/kit/cudart-llama-bin-win-cuda-12.4-x64.zip']);
  });

  it('uses a cudart archive given with --with as is', () => {
    expect(withRuntime(main, parsed, ['/elsewhere/cudart-llama-bin-win-cuda-12.4-x64.zip'], () => [])).toEqual(['/elsewhere/cudart-llama-bin-win-cuda-12.4-x64.zip']);
  });

  it('refuses a Windows CUDA build without its runtime, naming the file to bring', () => {
    expect(() => withRuntime(main, parsed, [], () => ['cudart-llama-bin-win-cuda-13.1-x64.zip'])).toThrow(
      /needs its CUDA runtime, cudart-llama-bin-win-cuda-12.4-x64\.zip from the same release: put it beside the archive or pass it with --with <path>; nothing was installed/,
    );
  });

  it('leaves other builds alone', () => {
    expect(withRuntime('/k/llama-b1-bin-ubuntu-vulkan-x64.tar.gz', parseAssetName('llama-b1-bin-ubuntu-vulkan-x64.tar.gz'), [], () => [])).toEqual([]);
    expect(withRuntime('/k/custom.zip', null, ['/k/extra.zip'], () => [])).toEqual(['/k/extra.zip']);
  });
});
