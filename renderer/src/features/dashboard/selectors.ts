// Derived dashboard views: GPU memory segments per instance, the first-run checklist.
import type { EngineFacts, GpuInfo, GpuLiveSample, InstanceInfo } from '../../../../electron/contract/index.js';
import type { BarSegment } from '../../components/ui.js';
import { hadFirstChat } from '../../lib/first-run.js';
import { useDashboard } from './store.js';

type State = ReturnType<typeof useDashboard.getState>;

export const selectInstances = (s: State): InstanceInfo[] => Object.values(s.instances).sort((a, b) => a.id.localeCompare(b.id));

/** GPU index an engine device name refers to (`CUDA1` → 1, `Metal` → 0); null for the CPU. */
export function gpuIndexOfDevice(device: string): number | null {
  if (/^(Metal|MTL)\d*$/.test(device)) return 0;
  const m = /^(CUDA|ROCm|Vulkan|SYCL)(\d+)$/.exec(device);
  return m ? Number(m[2]) : null;
}

export function bytesOnGpu(facts: EngineFacts | undefined, gpuIndex: number): number {
  return (facts?.buffers ?? []).filter((b) => gpuIndexOfDevice(b.device) === gpuIndex).reduce((a, b) => a + b.bytes, 0);
}

/** Devices an instance uses, from the buffers its engine reported. */
export function instanceDevices(facts: EngineFacts | undefined): string[] {
  const names = new Set((facts?.buffers ?? []).map((b) => b.device.replace(/_Mapped$/, '')));
  return [...names];
}

/** Used memory of one GPU split into the instances on it and everything else. */
export function gpuSegments(gpu: GpuInfo, live: GpuLiveSample | undefined, instances: InstanceInfo[], facts: Record<string, EngineFacts>): BarSegment[] {
  const used = live?.vramUsedBytes ?? gpu.vramUsedBytes ?? 0;
  const segs: BarSegment[] = [];
  instances.forEach((i, n) => {
    // What the engine reported (trace logs) where known, else what the planner placed there.
    const reported = bytesOnGpu(facts[i.id], gpu.index);
    const planned = (i.placement?.devices ?? []).filter((d) => d.gpuIndex === gpu.index).reduce((a, d) => a + d.totalBytes, 0);
    const bytes = reported || planned;
    if (bytes > 0) segs.push({ label: i.modelId, bytes, tone: `seg-${n % 6}` });
  });
  const mine = segs.reduce((a, s) => a + s.bytes, 0);
  if (used > mine) segs.push({ label: 'other programs', bytes: used - mine, tone: 'seg-other' });
  return segs;
}

export interface ChecklistStep {
  id: 'hardware' | 'engine' | 'model' | 'chat';
  label: string;
  done: boolean;
}

export function selectChecklist(s: State): ChecklistStep[] {
  const anyInstance = Object.keys(s.instances).length > 0;
  const engineFound = (s.engines.state === 'ready' && s.engines.value.data.length > 0) || Object.values(s.instances).some((i) => i.state === 'ready');
  return [
    { id: 'hardware', label: 'Hardware found', done: s.hardware.state === 'ready' },
    { id: 'engine', label: 'Engine installed', done: engineFound },
    { id: 'model', label: 'First model added', done: (s.modelCount ?? 0) > 0 || anyInstance },
    { id: 'chat', label: 'First chat', done: hadFirstChat() },
  ];
}
