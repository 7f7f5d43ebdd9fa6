// Every long-lived child a test helper starts (serve, a bare llama-server) is tracked here, so that a
// test file that forgets to stop one on some path cannot leave it running for the rest of the suite
// (test/setup-children.ts kills what is left after each file and names the file).
import type { ChildProcess } from 'node:child_process';

const live = new Map<ChildProcess, string>();

export function trackChild(proc: ChildProcess, label: string): void {
  live.set(proc, label);
  proc.once('exit', () => live.delete(proc));
}

/** Children that are still running, with the label they were tracked under. */
export function liveChildren(): Array<{ proc: ChildProcess; label: string }> {
  return [...live].filter(([p]) => p.exitCode === null && p.signalCode === null).map(([proc, label]) => ({ proc, label }));
}
