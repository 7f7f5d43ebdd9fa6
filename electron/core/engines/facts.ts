// Engine facts from one place: the version a llama-server binary reports (`--version`) and the
// devices it can use (`--list-devices`, matched to the detected GPUs), each asked once per binary
// and cached. Receipts, deployments, the planner and the UI read them here.
import { execFile } from 'node:child_process';
import type { EngineDevice, HardwareSnapshot, HardwareWarning } from '../../contract/index.js';
import { listEngineDevices } from '../hardware/engine-devices.js';

export interface EngineDeviceList {
  devices: EngineDevice[];
  warnings: HardwareWarning[];
}

export class EngineFacts {
  private readonly pending = new Map<string, Promise<string | null>>();
  private readonly known = new Map<string, string | null>();
  private readonly deviceLists = new Map<string, { snapshot: Promise<HardwareSnapshot>; list: Promise<EngineDeviceList> }>();

  /** `snapshot`: the detected hardware (the same promise until it is re-detected). */
  constructor(private readonly snapshot: () => Promise<HardwareSnapshot>) {}

  /** The version, reading it on first use (null when the binary does not say). */
  version(enginePath: string): Promise<string | null> {
    let p = this.pending.get(enginePath);
    if (!p) {
      p = new Promise((resolve) =>
        execFile(enginePath, ['--version'], { timeout: 5000, windowsHide: true }, (_err, stdout, stderr) => {
          const m = /version:\s*(.+)/.exec(`${stdout}\n${stderr}`);
          const v = m ? m[1]!.trim() : null;
          this.known.set(enginePath, v);
          resolve(v);
        }),
      );
      this.pending.set(enginePath, p);
    }
    return p;
  }

  /** The version if already read: undefined while unknown, null when the binary did not say. */
  cachedVersion(enginePath: string): string | null | undefined {
    return this.known.get(enginePath);
  }

  /** The engine's devices matched to the detected GPUs; asked again after the hardware is re-detected. */
  devices(enginePath: string): Promise<EngineDeviceList> {
    const snapshot = this.snapshot();
    const hit = this.deviceLists.get(enginePath);
    if (hit && hit.snapshot === snapshot) return hit.list;
    const list = snapshot.then((s) => listEngineDevices(enginePath, s.gpus));
    this.deviceLists.set(enginePath, { snapshot, list });
    return list;
  }
}
