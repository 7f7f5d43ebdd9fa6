// Engine facts from one place: the version a llama-server binary reports (`--version`), asked once
// per binary and cached. Receipts, deployments and the UI read it here.
import { execFile } from 'node:child_process';

export class EngineVersions {
  private readonly pending = new Map<string, Promise<string | null>>();
  private readonly known = new Map<string, string | null>();

  /** The version, reading it on first use (null when the binary does not say). */
  get(enginePath: string): Promise<string | null> {
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
  cached(enginePath: string): string | null | undefined {
    return this.known.get(enginePath);
  }
}
