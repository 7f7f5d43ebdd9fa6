// A typed listener set: subscribe returns its own unsubscribe, so no listener outlives its owner.
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  subscribe(fn: (value: T) => void): () => void {
    this.set.add(fn);
    return () => this.set.delete(fn);
  }

  emit(value: T): void {
    for (const fn of [...this.set]) {
      try {
        fn(value);
      } catch {
        // A failing listener must not break the emitter or other listeners.
      }
    }
  }

  get count(): number {
    return this.set.size;
  }
}
