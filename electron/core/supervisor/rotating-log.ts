// Engine logs on disk: `<data>/logs/<instance>.log`, rotated at a size limit into `.1`, `.2`, …
// (N files in all, oldest dropped), written in batches so a chatty engine costs few syscalls.
import { appendFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RotatingLogOptions {
  maxBytes: number;
  /** Files kept, the live one included. */
  files: number;
  flushMs: number;
}

export const DEFAULT_ROTATION: RotatingLogOptions = { maxBytes: 5 * 1024 * 1024, files: 4, flushMs: 200 };

export class RotatingLog {
  private pending: string[] = [];
  private pendingBytes = 0;
  private size: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly opts: RotatingLogOptions;

  constructor(
    readonly path: string,
    opts: Partial<RotatingLogOptions> = {},
  ) {
    this.opts = { ...DEFAULT_ROTATION, ...opts };
    if (this.opts.files < 1 || this.opts.maxBytes < 1) throw new Error('RotatingLog needs files >= 1 and maxBytes >= 1');
    mkdirSync(dirname(path), { recursive: true });
    try {
      this.size = statSync(path).size;
    } catch {
      this.size = 0;
    }
  }

  write(line: string): void {
    const text = line.endsWith('\n') ? line : `${line}\n`;
    this.pending.push(text);
    this.pendingBytes += Buffer.byteLength(text);
    if (this.pendingBytes >= 64 * 1024) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.opts.flushMs).unref();
  }

  /** Write what is buffered now (synchronously: also used on shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    try {
      // Lines go out in as few appends as rotation allows; byte counts are kept as we go (counting
      // the whole chunk again per line made a 64 KiB flush quadratic).
      let chunk = '';
      let chunkBytes = 0;
      for (const line of lines) {
        const bytes = Buffer.byteLength(line);
        if (this.size + chunkBytes + bytes > this.opts.maxBytes && this.size + chunkBytes > 0) {
          if (chunk) appendFileSync(this.path, chunk);
          chunk = '';
          chunkBytes = 0;
          this.rotate();
        }
        chunk += line;
        chunkBytes += bytes;
      }
      if (chunk) {
        appendFileSync(this.path, chunk);
        this.size += chunkBytes;
      }
    } catch {
      // A full or read-only disk must not take the engine down; the ring buffer still has the lines.
    }
  }

  close(): void {
    this.flush();
  }

  private rotate(): void {
    const { files } = this.opts;
    if (files === 1) {
      rmSync(this.path, { force: true });
    } else {
      rmSync(`${this.path}.${files - 1}`, { force: true });
      for (let i = files - 2; i >= 1; i--) tryRename(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      tryRename(this.path, `${this.path}.1`);
    }
    this.size = 0;
  }
}

function tryRename(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch {
    // missing file: nothing to shift
  }
}
