// Hardware facts that differ by platform: where nvidia-smi lives on Windows, and which CPU flags a
// platform's source can actually report (absent is "unknown" where the source does not list it).
import { describe, expect, it } from 'vitest';
import { nvidiaSmiBinary } from '../../../electron/core/hardware/nvidia.js';
import { cpuFlagsFrom } from '../../../electron/core/hardware/system.js';

describe('nvidia-smi lookup', () => {
  const env = { SystemRoot: 'C:\\Windows', ProgramFiles: 'C:\\Program Files', ProgramW6432: 'C:\\Program Files' };

  it('Windows: finds it under NVSMI where older drivers install it (not on PATH)', () => {
    const nvsmi = 'C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe';
    expect(nvidiaSmiBinary('win32', env, (p) => p === nvsmi)).toBe(nvsmi);
  });

  it('Windows: prefers the System32 copy of current drivers, and falls back to PATH', () => {
    expect(nvidiaSmiBinary('win32', env, () => true)).toBe('C:\\Windows\\System32\\nvidia-smi.exe');
    expect(nvidiaSmiBinary('win32', env, () => false)).toBe('nvidia-smi');
  });

  it('Linux and macOS: PATH', () => {
    expect(nvidiaSmiBinary('linux', env, () => true)).toBe('nvidia-smi');
  });
});

describe('CPU flags by platform', () => {
  it('Windows: the registry FeatureSet has no AVX bit, so AVX is unknown, not false', () => {
    // What systeminformation returns on Windows: CPUID leaf-1 EDX names only.
    const flags = 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse-36 clfsh ds acpi mmx fxsr sse sse2 ss htt tm pbe';
    expect(cpuFlagsFrom(flags, 'x64', 'win32')).toEqual({ avx: null, avx2: null, avx512: null, neon: false });
  });

  it('Intel Mac: AVX1.0 from machdep.cpu.features is AVX; AVX2/AVX-512 (leaf 7, not read) stay unknown', () => {
    const flags =
      'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clfsh ds acpi mmx fxsr sse sse2 ss htt tm pbe sse3 pclmulqdq dtes64 mon dscpl vmx est tm2 ssse3 fma cx16 tpr pdcm sse4.1 sse4.2 x2apic movbe popcnt aes pcid xsave osxsave seglim64 tsctmr avx1.0 rdrand f16c';
    expect(cpuFlagsFrom(flags, 'x64', 'darwin')).toEqual({ avx: true, avx2: null, avx512: null, neon: false });
    expect(cpuFlagsFrom('fpu sse sse2 sse3', 'x64', 'darwin').avx).toBe(false);
  });

  it('Linux: the full list, so an absent flag is false', () => {
    expect(cpuFlagsFrom('fpu sse avx avx2 fma', 'x64', 'linux')).toEqual({ avx: true, avx2: true, avx512: false, neon: false });
  });
});
