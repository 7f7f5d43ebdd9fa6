// Which llama-server build fits this machine: a pure function of the hardware snapshot and the
// release's assets, with one sentence saying why, and an explicit override.
import type { GpuInfo, HardwareSnapshot, VariantChoice } from '../../contract/index.js';
import { cudartAssetFor, parseAssetName, ReleaseError, type ReleaseAsset } from './release.js';

/** The part of the hardware snapshot the choice depends on. */
export type MachineFacts = Pick<HardwareSnapshot, 'platform' | 'gpus'> & { cpu: Pick<HardwareSnapshot['cpu'], 'arch'> };

const BACKEND_WORDS: Record<string, VariantChoice['backend']> = { cpu: 'cpu', cuda: 'cuda', vulkan: 'vulkan', rocm: 'rocm', hip: 'rocm', metal: 'metal', sycl: 'sycl' };

interface Offer {
  asset: ReleaseAsset;
  info: NonNullable<ReturnType<typeof parseAssetName>>;
}

export function chooseVariant(machine: MachineFacts, assets: ReleaseAsset[], override?: string | null): VariantChoice {
  const all = assets.flatMap((asset) => {
    const info = parseAssetName(asset.name);
    return info ? [{ asset, info }] : [];
  });
  const here = `${machine.platform}-${machine.cpu.arch}`;
  const offers = all.filter((o) => o.info.platform === machine.platform && o.info.arch === machine.cpu.arch);
  if (override) return chooseOverride(override.trim(), machine, offers, all, assets);
  if (offers.length === 0) {
    throw new ReleaseError(`this release has no llama-server build for ${here}; builds offered: ${all.map((o) => o.info.variant).join(', ') || 'none'}`, 400);
  }
  const pick = autoChoice(machine, offers);
  return toChoice(pick.offer, pick.reason, false, assets);
}

function autoChoice(machine: MachineFacts, offers: Offer[]): { offer: Offer; reason: string } {
  const byBackend = (b: VariantChoice['backend']) => offers.filter((o) => o.info.backend === b);
  const cpu = byBackend('cpu')[0] ?? byBackend('metal')[0] ?? offers[0]!;
  const vulkan = byBackend('vulkan')[0];
  const nvidia = machine.gpus.filter((g) => g.vendor === 'nvidia');
  const amd = machine.gpus.filter((g) => g.vendor === 'amd');
  const intel = machine.gpus.filter((g) => g.vendor === 'intel');
  const orCpu = (why: string) => ({ offer: cpu, reason: `${why}; this release has no Vulkan build for this platform, so the CPU build is used.` });

  if (machine.platform === 'darwin' && machine.cpu.arch === 'arm64') {
    const metal = byBackend('metal')[0];
    if (metal) return { offer: metal, reason: 'Apple Silicon: the macOS arm64 build runs on the GPU through Metal.' };
  }
  if (nvidia.length > 0) {
    const gpu = describeGpus(nvidia);
    const driverCuda = nvidia.map((g) => g.cudaVersion).find((v): v is string => !!v) ?? null;
    const cudaBuilds = byBackend('cuda').sort((a, b) => compareVersions(b.info.cudaVersion ?? '0', a.info.cudaVersion ?? '0'));
    const fit = driverCuda ? cudaBuilds.find((o) => compareVersions(o.info.cudaVersion ?? '0', driverCuda) <= 0) : undefined;
    if (fit) {
      return { offer: fit, reason: `${gpu} with a driver supporting CUDA ${driverCuda}: the CUDA ${fit.info.cudaVersion} build is the newest in this release that the driver can run.` };
    }
    const why =
      cudaBuilds.length === 0
        ? `${gpu}: this release has no CUDA build for ${machine.platform}-${machine.cpu.arch}`
        : driverCuda
          ? `${gpu}: the driver supports CUDA ${driverCuda}, older than every CUDA build here (${cudaBuilds.map((o) => o.info.cudaVersion).join(', ')}); update the driver to use CUDA`
          : `${gpu}: the driver's CUDA version is unknown (nvidia-smi did not report it)`;
    return vulkan ? { offer: vulkan, reason: `${why}, so the Vulkan build is used.` } : orCpu(why);
  }
  if (amd.length > 0) {
    const rocm = byBackend('rocm')[0];
    if (rocm) return { offer: rocm, reason: `${describeGpus(amd)}: the ROCm/HIP build runs on AMD GPUs.` };
    return vulkan ? { offer: vulkan, reason: `${describeGpus(amd)}: this release has no ROCm build for this platform, so the Vulkan build is used.` } : orCpu(describeGpus(amd));
  }
  if (intel.length > 0) {
    return vulkan ? { offer: vulkan, reason: `${describeGpus(intel)}: the Vulkan build runs on Intel GPUs.` } : orCpu(describeGpus(intel));
  }
  const other = machine.gpus.filter((g) => g.vendor === 'other' || g.vendor === 'apple');
  if (other.length > 0 && vulkan) return { offer: vulkan, reason: `${describeGpus(other)}: the Vulkan build is the one backend that may drive it.` };
  return { offer: cpu, reason: 'No GPU was detected, so the CPU build is used.' };
}

function chooseOverride(override: string, machine: MachineFacts, offers: Offer[], all: Offer[], assets: ReleaseAsset[]): VariantChoice {
  const here = `${machine.platform}-${machine.cpu.arch}`;
  const exact = all.find((o) => o.info.variant === override);
  if (exact) {
    if (exact.info.platform !== machine.platform || exact.info.arch !== machine.cpu.arch) {
      throw new ReleaseError(`variant '${override}' is built for ${exact.info.platform}-${exact.info.arch}, and this machine is ${here}`, 400);
    }
    return toChoice(exact, `The ${override} build was chosen explicitly.`, true, assets);
  }
  const backend = BACKEND_WORDS[override.toLowerCase()];
  const matching = backend ? offers.filter((o) => o.info.backend === backend).sort((a, b) => compareVersions(b.info.cudaVersion ?? '0', a.info.cudaVersion ?? '0')) : [];
  if (backend === 'cuda') {
    const driverCuda = machine.gpus.map((g) => g.cudaVersion).find((v): v is string => !!v);
    const fit = driverCuda ? matching.find((o) => compareVersions(o.info.cudaVersion ?? '0', driverCuda) <= 0) : undefined;
    if (fit ?? matching[0])
      return toChoice((fit ?? matching[0])!, `The CUDA backend was chosen explicitly; ${(fit ?? matching[0])!.info.variant} is the best CUDA build here for this driver.`, true, assets);
  } else if (matching[0]) {
    return toChoice(matching[0], `The ${override.toLowerCase()} backend was chosen explicitly (${matching[0].info.variant}).`, true, assets);
  }
  const offered = offers.map((o) => o.info.variant).join(', ') || 'none';
  throw new ReleaseError(`variant '${override}' is not offered for ${here} by this release; offered: ${offered} (or a backend: ${Object.keys(BACKEND_WORDS).join(', ')})`, 400);
}

function toChoice(offer: Offer, reason: string, overridden: boolean, assets: ReleaseAsset[]): VariantChoice {
  const { tag: _tag, ...info } = offer.info;
  const cudart = info.backend === 'cuda' ? cudartAssetFor(info.variant, assets) : null;
  return { ...info, reason, overridden, assets: [offer.asset.name, ...(cudart ? [cudart.name] : [])] };
}

function describeGpus(gpus: GpuInfo[]): string {
  const names = [...new Set(gpus.map((g) => g.name))];
  return gpus.length === 1 ? `GPU ${names[0]}` : `${gpus.length} GPUs (${names.join(', ')})`;
}

/** Numeric compare of dotted versions: 12.4 < 12.10 < 13.0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
