// Collects items arriving faster than the screen refreshes and hands them over once per animation
// frame, so a 1,000 tokens/s stream or a log flood costs one render per frame, not one per item.

export class FrameBatcher<T> {
  private pending: T[] = [];
  private frame: number | null = null;

  constructor(
    private readonly flush: (items: T[]) => void,
    /** `token`: flush every item at once (the naive baseline the benchmark compares against). */
    private readonly mode: 'frame' | 'token' = 'frame',
  ) {}

  push(item: T): void {
    if (this.mode === 'token') return this.flush([item]);
    this.pending.push(item);
    this.frame ??= requestAnimationFrame(() => this.drain());
  }

  /** Flush what is pending now (at the end of a stream). */
  drain(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    this.flush(items);
  }

  cancel(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.pending = [];
  }
}
