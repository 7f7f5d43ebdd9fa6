// The desktop shell's own settings (open at login, automatic updates): validated when read back and
// when the renderer sends a change, persisted, and applied through the callback the root gives.
import { z } from 'zod';
import type { DesktopResult, DesktopSettings } from '../contract/index.js';
import type { Logger, Persisted } from './seam.js';

export const DEFAULT_DESKTOP_SETTINGS: DesktopSettings = { openAtLogin: false, autoUpdate: false, updateUrl: null };

const updateUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http(s) URL')
  .nullable();

const patchSchema = z.strictObject({
  openAtLogin: z.boolean().optional(),
  autoUpdate: z.boolean().optional(),
  updateUrl: updateUrl.optional(),
});

/** Stored value → settings; whatever is missing or invalid falls back to the default, field by field. */
export function parseDesktopSettings(raw: unknown): DesktopSettings {
  const obj = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const pick = <K extends keyof DesktopSettings>(key: K, schema: z.ZodType<DesktopSettings[K]>): DesktopSettings[K] => {
    const r = schema.safeParse(obj[key]);
    return r.success ? r.data : DEFAULT_DESKTOP_SETTINGS[key];
  };
  return { openAtLogin: pick('openAtLogin', z.boolean()), autoUpdate: pick('autoUpdate', z.boolean()), updateUrl: pick('updateUrl', updateUrl) };
}

export class DesktopSettingsStore {
  private current: DesktopSettings;

  constructor(
    private readonly store: Persisted<DesktopSettings>,
    /** Applies a change; an error undoes it (e.g. the login item could not be written). */
    private readonly onChange: (next: DesktopSettings, previous: DesktopSettings) => DesktopResult<null>,
  ) {
    this.current = parseDesktopSettings(store.load());
  }

  get(): DesktopSettings {
    return { ...this.current };
  }

  /** Validate a patch from the renderer or the tray; nothing changes unless all of it is valid. */
  update(patch: unknown): DesktopResult<DesktopSettings> {
    const parsed = patchSchema.safeParse(patch);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || (issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : '');
      return { ok: false, error: { code: 'invalid_argument', message: `invalid desktop setting${field ? ` ${field}` : ''}: ${issue?.message ?? 'unknown error'}` } };
    }
    const previous = this.current;
    const next: DesktopSettings = { ...previous };
    for (const [k, v] of Object.entries(parsed.data)) if (v !== undefined) Object.assign(next, { [k]: v });
    this.current = next;
    this.store.save(next);
    const applied = this.onChange(next, previous);
    if (!applied.ok) {
      this.current = previous;
      this.store.save(previous);
      return applied;
    }
    return { ok: true, value: this.get() };
  }
}

export interface SettingsEffects {
  openAtLogin(enabled: boolean): DesktopResult<null>;
  updates(settings: DesktopSettings): void;
  refresh(): void;
  log: Logger;
}

/** What a settings change sets in motion: only the parts that changed are re-applied. */
export function settingsEffects(fx: SettingsEffects): (next: DesktopSettings, previous: DesktopSettings) => DesktopResult<null> {
  return (next, previous) => {
    if (next.openAtLogin !== previous.openAtLogin) {
      const r = fx.openAtLogin(next.openAtLogin);
      if (!r.ok) {
        fx.log.warn({ err: r.error.message }, 'open at login not changed');
        return r;
      }
    }
    if (next.autoUpdate !== previous.autoUpdate || next.updateUrl !== previous.updateUrl) fx.updates(next);
    fx.refresh();
    return { ok: true, value: null };
  };
}
