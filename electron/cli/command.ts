// The shape of a CLI command: its name, one-line summary, usage text and runner.
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. Long-running commands (serve) resolve when they stop. */
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function port(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be an integer between 0 and 65535, got '${value}'`);
  return n;
}
