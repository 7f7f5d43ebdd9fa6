// The default engine and its history. The value itself is the setting `engines.defaultEngine` (one
// place the UI, CLI and API read); this module owns `<data>/engine-defaults.json`, the switches that
// led to it (who, when, on which check report), so `rollback` is one step and the engines of the last
// defaults are kept from removal.
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { z } from 'zod';
import type { EngineDefaultRecord } from '../../contract/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';

/** Engines of this many recent defaults (the current one included) are never removed. */
export const KEEP_LAST_DEFAULTS = 3;
const HISTORY_MAX = 50;

const recordSchema = z.object({
  engine: z.string().min(1),
  previous: z.string().min(1).nullable(),
  at: z.string(),
  actor: z.string(),
  reportId: z.string().nullable(),
  forced: z.boolean(),
});
const fileSchema = z.object({ schemaVersion: z.literal(1), history: z.array(recordSchema) });

export interface DefaultSetting {
  get(): string | null;
  set(engine: string | null): void;
}

export class EngineDefaults {
  private history: EngineDefaultRecord[];
  /** What was wrong with the history file at start (it was kept aside). */
  readonly problems: string[] = [];

  constructor(
    private readonly file: string,
    private readonly setting: DefaultSetting,
    private readonly now: () => number = Date.now,
  ) {
    this.history = this.load();
  }

  get current(): string | null {
    return this.setting.get();
  }

  /** Newest first. */
  list(): EngineDefaultRecord[] {
    return [...this.history].reverse();
  }

  /** Make `engine` the default and remember the switch. */
  set(engine: string, by: { actor: string; reportId?: string | null; forced?: boolean }): EngineDefaultRecord {
    const rec: EngineDefaultRecord = { engine, previous: this.current, at: new Date(this.now()).toISOString(), actor: by.actor, reportId: by.reportId ?? null, forced: by.forced ?? false };
    this.history = [...this.history, rec].slice(-HISTORY_MAX);
    this.save();
    this.setting.set(engine);
    return rec;
  }

  /** No default any more (its engine, the only one, was removed): `--engine` or the newest is used. */
  clear(): void {
    this.setting.set(null);
  }

  /** The default before the current one (what `rollback` returns to), or null when there is none. */
  previous(): string | null {
    const last = this.history.at(-1);
    return last && last.engine === this.current ? last.previous : null;
  }

  /** Engine ids that must stay installed: the current default and the last few before it. */
  kept(): Set<string> {
    const ids = new Set<string>();
    if (this.current) ids.add(this.current);
    for (const rec of this.list()) {
      if (ids.size >= KEEP_LAST_DEFAULTS) break;
      ids.add(rec.engine);
      if (rec.previous && ids.size < KEEP_LAST_DEFAULTS) ids.add(rec.previous);
    }
    return ids;
  }

  private load(): EngineDefaultRecord[] {
    if (!existsSync(this.file)) return [];
    try {
      return fileSchema.parse(JSON.parse(readFileSync(this.file, 'utf8'))).history;
    } catch (err) {
      // Never replaced silently: the broken file is kept aside and said.
      const aside = `${this.file}.corrupt-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`;
      renameSync(this.file, aside);
      this.problems.push(`the engine default history ${this.file} could not be read (${(err as Error).message.slice(0, 200)}); it was moved to ${aside} and a new one started`);
      return [];
    }
  }

  private save(): void {
    writeFileAtomic(this.file, JSON.stringify({ schemaVersion: 1, history: this.history }, null, 2) + '\n', 0o644);
  }
}
