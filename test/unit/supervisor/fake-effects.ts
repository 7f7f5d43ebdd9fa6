// A recording fake of the supervisor's side-effect seam: processes that exit when told to, a
// health check answered by a script, and a clock that only moves when the instance sleeps.
import type { EngineEffects, EngineProcess, ExitInfo, SpawnSpec } from '../../../electron/core/supervisor/process.js';

export class FakeProcess implements EngineProcess {
  readonly signals: NodeJS.Signals[] = [];
  readonly exited: Promise<ExitInfo>;
  ignoreSigterm = false;
  private resolveExit!: (e: ExitInfo) => void;
  private done = false;

  constructor(
    readonly pid: number,
    readonly spec: SpawnSpec,
    private readonly onLine: (stream: 'stdout' | 'stderr', text: string) => void,
  ) {
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  get alive(): boolean {
    return !this.done;
  }

  print(text: string, stream: 'stdout' | 'stderr' = 'stderr'): void {
    this.onLine(stream, text);
  }

  exit(code: number | null, signal: string | null = null): void {
    if (this.done) return;
    this.done = true;
    this.resolveExit({ code, signal });
  }

  signalGroup(signal: NodeJS.Signals): void {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || (signal === 'SIGTERM' && !this.ignoreSigterm)) this.exit(null, signal);
  }
}

export class FakeEffects implements EngineEffects {
  clock = 1_000_000;
  readonly sleeps: number[] = [];
  readonly procs: FakeProcess[] = [];
  /** Decides /health per call; default: healthy once the newest process is alive. */
  healthy: (proc: FakeProcess | undefined, calls: number) => boolean = (p) => !!p?.alive;
  /** Runs right after each spawn (print lines, exit at once, …). */
  onSpawn: (proc: FakeProcess) => void = () => {};
  private healthCalls = 0;
  private nextPid = 1000;

  spawn(spec: SpawnSpec, onLine: (stream: 'stdout' | 'stderr', text: string) => void): EngineProcess {
    const proc = new FakeProcess(this.nextPid++, spec, onLine);
    this.procs.push(proc);
    this.onSpawn(proc);
    return proc;
  }

  async health(): Promise<boolean> {
    return this.healthy(this.procs.at(-1), ++this.healthCalls);
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.clock += ms;
    await new Promise((r) => setImmediate(r)); // yield like a timer would, so polling loops cannot starve the test
  }

  now(): number {
    return this.clock;
  }

  /** Backoff sleeps only (health polls sleep at most 250 ms; tests use a larger backoff base). */
  backoffs(min = 1000): number[] {
    return this.sleeps.filter((ms) => ms >= min);
  }
}

/** Let pending promise callbacks run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}
