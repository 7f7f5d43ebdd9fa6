// Choosing the llama.cpp build for a machine: pure function of the hardware snapshot and the
// release's asset list (names as llama.cpp publishes them).
import { describe, expect, it } from 'vitest';
import type { GpuInfo } from '../../../electron/contract/index.js';
import { parseAssetName, parseDigest, parseRelease, type ReleaseAsset } from '../../../electron/core/engines/release.js';
import { chooseVariant, compareVersions, type MachineFacts } from '../../../electron/core/engines/variant.js';

const NAMES = [
  'llama-b11195-bin-ubuntu-x64.tar.gz',
  'llama-b11195-bin-ubuntu-vulkan-x64.tar.gz',
  'llama-b11195-bin-ubuntu-arm64.tar.gz',
  'llama-b11195-bin-ubuntu-cuda-12.4-x64.tar.gz',
  'llama-b11195-bin-win-cpu-x64.zip',
  'llama-b11195-bin-win-vulkan-x64.zip',
  'llama-b11195-bin-win-cuda-12.4-x64.zip',
  'llama-b11195-bin-win-cuda-13.3-x64.zip',
  'llama-b11195-bin-win-hip-radeon-x64.zip',
  'cudart-llama-bin-win-cuda-12.4-x64.zip',
  'cudart-llama-bin-win-cuda-13.3-x64.zip',
  'llama-b11195-bin-macos-arm64.tar.gz',
  'llama-b11195-bin-macos-x64.tar.gz',
  'llama-b11195-xcframework.zip',
];
const ASSETS: ReleaseAsset[] = NAMES.map((name) => ({ name, size: 1, sha256: 'a'.repeat(64), url: `https://x/${name}` }));

function gpu(vendor: GpuInfo['vendor'], name: string, cudaVersion: string | null = null): GpuInfo {
  return {
    index: 0,
    vendor,
    name,
    uuid: null,
    pciBusId: null,
    vramTotalBytes: null,
    vramFreeBytes: null,
    vramUsedBytes: null,
    unifiedMemory: false,
    driverVersion: '550.1',
    cudaVersion,
    computeCapability: null,
    migEnabled: null,
    backends: [],
    sources: [],
  };
}
const machine = (platform: string, arch: string, gpus: GpuInfo[] = []): MachineFacts => ({ platform, cpu: { arch }, gpus });

describe('release asset names', () => {
  it('parses platform, arch, backend and CUDA version', () => {
    expect(parseAssetName('llama-b11195-bin-ubuntu-cuda-12.4-x64.tar.gz')).toEqual({
      tag: 'b11195',
      variant: 'ubuntu-cuda-12.4-x64',
      platform: 'linux',
      arch: 'x64',
      backend: 'cuda',
      cudaVersion: '12.4',
    });
    expect(parseAssetName('llama-b11195-bin-win-cpu-x64.zip')).toMatchObject({ variant: 'win-cpu-x64', platform: 'win32', backend: 'cpu' });
    expect(parseAssetName('llama-b11195-bin-macos-arm64.tar.gz')).toMatchObject({ platform: 'darwin', arch: 'arm64', backend: 'metal' });
    expect(parseAssetName('llama-b11195-bin-macos-x64.tar.gz')).toMatchObject({ backend: 'cpu' });
    expect(parseAssetName('llama-b11195-bin-win-hip-radeon-x64.zip')).toMatchObject({ backend: 'rocm' });
    expect(parseAssetName('cudart-llama-bin-win-cuda-12.4-x64.zip')).toBeNull();
    expect(parseAssetName('llama-b11195-xcframework.zip')).toBeNull();
    expect(parseAssetName('llama-b11195-bin-ubuntu-x64.txt')).toBeNull();
  });

  it('reads GitHub digests and resolves relative download URLs against the metadata', () => {
    expect(parseDigest(`sha256:${'AB'.repeat(32)}`)).toBe('ab'.repeat(32));
    expect(parseDigest('sha512:00')).toBeNull();
    expect(parseDigest(null)).toBeNull();
    const r = parseRelease({ tag_name: 'b1', assets: [{ name: 'a.zip', size: 3, digest: null, browser_download_url: '../../a.zip' }] }, 'file:///mirror/releases/tags/b1.json');
    expect(r.assets[0]).toEqual({ name: 'a.zip', size: 3, sha256: null, url: 'file:///mirror/a.zip' });
    expect(r).toMatchObject({ publishedAt: null, commit: null });
    // Provenance: the release's commit only when it is a full sha (GitHub may give a branch name).
    const sha = 'C0FFEE'.padEnd(40, '1');
    expect(parseRelease({ tag_name: 'b1', published_at: '2026-09-26T10:00:00Z', target_commitish: sha, assets: [] }, 'https://x')).toMatchObject({
      publishedAt: '2026-09-26T10:00:00Z',
      commit: sha.toLowerCase(),
    });
    expect(parseRelease({ tag_name: 'b1', target_commitish: 'master', assets: [] }, 'https://x').commit).toBeNull();
    expect(() => parseRelease({ tag_name: 'b1', assets: [{ name: 'a.zip' }] }, 'https://x')).toThrow(/GitHub releases shape: assets\.0\.size/);
  });

  it('compares dotted versions numerically', () => {
    expect(compareVersions('12.10', '12.4')).toBeGreaterThan(0);
    expect(compareVersions('12.4', '12.4.0')).toBe(0);
    expect(compareVersions('11.8', '12')).toBeLessThan(0);
  });
});

describe('chooseVariant', () => {
  it('takes the newest CUDA build the NVIDIA driver can run, with its runtime archive', () => {
    const c = chooseVariant(machine('win32', 'x64', [gpu('nvidia', 'NVIDIA GeForce RTX 4090', '13.4')]), ASSETS);
    expect(c).toMatchObject({ variant: 'win-cuda-13.3-x64', backend: 'cuda', cudaVersion: '13.3', overridden: false });
    expect(c.assets).toEqual(['llama-b11195-bin-win-cuda-13.3-x64.zip', 'cudart-llama-bin-win-cuda-13.3-x64.zip']);
    expect(c.reason).toBe('GPU NVIDIA GeForce RTX 4090 with a driver supporting CUDA 13.4: the CUDA 13.3 build is the newest in this release that the driver can run.');
    expect(chooseVariant(machine('win32', 'x64', [gpu('nvidia', 'RTX 3060', '12.8')]), ASSETS).variant).toBe('win-cuda-12.4-x64');
    expect(chooseVariant(machine('linux', 'x64', [gpu('nvidia', 'H100', '12.6')]), ASSETS).assets).toEqual(['llama-b11195-bin-ubuntu-cuda-12.4-x64.tar.gz']);
  });

  it('falls back to Vulkan when the driver is too old for every CUDA build, or its CUDA version is unknown', () => {
    const old = chooseVariant(machine('win32', 'x64', [gpu('nvidia', 'GTX 1070', '11.4')]), ASSETS);
    expect(old.variant).toBe('win-vulkan-x64');
    expect(old.reason).toMatch(/supports CUDA 11\.4, older than every CUDA build here \(13\.3, 12\.4\); update the driver/);
    const unknown = chooseVariant(machine('linux', 'x64', [gpu('nvidia', 'T4', null)]), ASSETS);
    expect(unknown.variant).toBe('ubuntu-vulkan-x64');
    expect(unknown.reason).toMatch(/CUDA version is unknown/);
  });

  it('uses ROCm for AMD where offered, Vulkan otherwise; Vulkan for Intel; Metal on Apple Silicon; CPU without GPU', () => {
    expect(chooseVariant(machine('win32', 'x64', [gpu('amd', 'Radeon RX 7900 XTX')]), ASSETS).variant).toBe('win-hip-radeon-x64');
    expect(chooseVariant(machine('linux', 'x64', [gpu('amd', 'Radeon RX 6700 XT')]), ASSETS)).toMatchObject({ variant: 'ubuntu-vulkan-x64', reason: expect.stringMatching(/no ROCm build/) });
    expect(chooseVariant(machine('linux', 'x64', [gpu('intel', 'Arc A770')]), ASSETS).variant).toBe('ubuntu-vulkan-x64');
    expect(chooseVariant(machine('darwin', 'arm64', [gpu('apple', 'Apple M3 Pro')]), ASSETS)).toMatchObject({ variant: 'macos-arm64', backend: 'metal' });
    expect(chooseVariant(machine('linux', 'x64'), ASSETS)).toMatchObject({ variant: 'ubuntu-x64', backend: 'cpu', reason: 'No GPU was detected, so the CPU build is used.' });
    expect(chooseVariant(machine('linux', 'arm64', [gpu('nvidia', 'GH200', '12.8')]), ASSETS)).toMatchObject({
      variant: 'ubuntu-arm64',
      reason: expect.stringMatching(/no CUDA build for linux-arm64.*CPU build/),
    });
  });

  it('honours an explicit variant or backend, and refuses one the release does not offer here', () => {
    const nvidia = machine('linux', 'x64', [gpu('nvidia', 'RTX 4090', '12.8')]);
    expect(chooseVariant(nvidia, ASSETS, 'ubuntu-x64')).toMatchObject({ variant: 'ubuntu-x64', overridden: true });
    expect(chooseVariant(nvidia, ASSETS, 'vulkan')).toMatchObject({ variant: 'ubuntu-vulkan-x64', overridden: true });
    expect(chooseVariant(machine('win32', 'x64', [gpu('nvidia', 'RTX', '12.8')]), ASSETS, 'cuda').variant).toBe('win-cuda-12.4-x64');
    expect(() => chooseVariant(nvidia, ASSETS, 'win-cpu-x64')).toThrow(/built for win32-x64, and this machine is linux-x64/);
    expect(() => chooseVariant(nvidia, ASSETS, 'metal')).toThrow(/'metal' is not offered for linux-x64.*ubuntu-x64, ubuntu-vulkan-x64, ubuntu-cuda-12.4-x64/);
    expect(() => chooseVariant(machine('freebsd', 'x64'), ASSETS)).toThrow(/no llama-server build for freebsd-x64/);
  });
});
