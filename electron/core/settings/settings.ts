// Settings: one validated JSON document at <data>/settings.json. Reads fill defaults for anything
// missing; updates are validated field by field (a bad value is refused naming its field) and
// written atomically.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Settings, SettingsPatch } from '../../contract/index.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { Listeners } from '../util/emitter.js';
import { HttpError } from '../util/errors.js';
import { validate } from '../util/validate.js';
import { clockMinutes, isTimeZone } from '../reports/business-hours.js';

export const DEFAULT_SETTINGS: Settings = {
  schemaVersion: 1,
  api: { host: '127.0.0.1', port: 8585, corsOrigins: [], allowedHosts: [] },
  gateway: { queueDepth: 64, maxBodyBytes: 16 * 1024 * 1024, requestTimeoutSeconds: 600, loadTimeoutSeconds: 120, idleTtlSeconds: 0 },
  models: { pinned: [], folder: null },
  privacy: { requestLogRetentionDays: 30, logContent: false },
  engines: { releaseSource: 'github', mirrorUrl: null, tag: null, traceLogs: false, cacheRamMiB: 2048, defaultEngine: null, livenessIntervalSeconds: 5, livenessMisses: 3 },
  hub: { endpoint: 'https://huggingface.co', token: null },
  placement: { safetyMarginMiB: 512, defaultContextSize: 4096, defaultParallel: 4 },
  ui: { theme: 'system', saveConversations: false },
  reports: {
    availabilityTargetPercent: 99.5,
    ttftP95TargetMs: 2000,
    errorRateTargetPercent: 1,
    webhookUrl: null,
    pricePerKwh: 0.3,
    amortisationPerMonth: 0,
    referencePricePerMillionTokens: null,
    cpuTdpWatts: null,
    currency: 'EUR',
    businessHours: null,
    timeZone: 'UTC',
    deploymentSlos: {},
  },
  network: { offline: false },
};

const sloFields = { availabilityTargetPercent: z.number().gt(0).lt(100), ttftP95TargetMs: z.number().positive(), errorRateTargetPercent: z.number().min(0).max(100) };
const clock = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a time like 08:00 (24:00 for midnight at the end)');
const businessHours = z
  .object({
    days: z
      .array(z.number().int().min(0).max(6))
      .min(1)
      .max(7)
      .refine((d) => new Set(d).size === d.length, 'each day once (0 = Sunday … 6 = Saturday)'),
    from: clock,
    to: clock,
  })
  .strict()
  .refine((h) => clockMinutes(h.from) < clockMinutes(h.to), { message: 'must end after it starts (from < to on the same day)', path: ['to'] });
const origin = z.string().regex(/^https?:\/\/[^/\s]+$/, 'an origin like https://intranet.example.com');
const schema = z.object({
  schemaVersion: z.literal(1),
  api: z.object({
    host: z.string().min(1),
    port: z.number().int().min(0).max(65535),
    corsOrigins: z.array(origin),
    allowedHosts: z.array(z.string().min(1)),
  }),
  gateway: z.object({
    queueDepth: z.number().int().min(0).max(10_000),
    maxBodyBytes: z.number().int().min(1024),
    requestTimeoutSeconds: z.number().int().min(1),
    loadTimeoutSeconds: z.number().int().min(1),
    idleTtlSeconds: z.number().int().min(0),
  }),
  models: z.object({ pinned: z.array(z.string()), folder: z.string().nullable() }),
  privacy: z.object({ requestLogRetentionDays: z.number().int().min(0).max(3650), logContent: z.boolean() }),
  engines: z.object({
    releaseSource: z.enum(['github', 'mirror', 'offline']),
    mirrorUrl: z.string().url().nullable(),
    tag: z.string().nullable(),
    traceLogs: z.boolean(),
    cacheRamMiB: z
      .number()
      .int()
      .min(0)
      .max(1024 * 1024),
    defaultEngine: z.string().min(1).nullable(),
    livenessIntervalSeconds: z.number().min(0).max(3600),
    livenessMisses: z.number().int().min(1).max(100),
  }),
  hub: z.object({ endpoint: z.string().url(), token: z.string().nullable() }),
  placement: z.object({ safetyMarginMiB: z.number().int().min(0), defaultContextSize: z.number().int().min(256), defaultParallel: z.number().int().min(1).max(64) }),
  ui: z.object({ theme: z.enum(['system', 'light', 'dark']), saveConversations: z.boolean() }),
  reports: z.object({
    ...sloFields,
    webhookUrl: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'an http(s) URL')
      .nullable(),
    pricePerKwh: z.number().min(0),
    amortisationPerMonth: z.number().min(0),
    referencePricePerMillionTokens: z.number().min(0).nullable(),
    cpuTdpWatts: z.number().positive().nullable(),
    currency: z.string().min(1).max(8),
    businessHours: businessHours.nullable(),
    timeZone: z.string().refine(isTimeZone, 'an IANA time zone like Europe/Berlin or UTC'),
    deploymentSlos: z.record(z.string().min(1), z.object(sloFields).partial().strict()),
  }),
  network: z.object({ offline: z.boolean() }),
});

function merge(base: Settings, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    const cur = (base as unknown as Record<string, unknown>)[k];
    out[k] = cur && typeof cur === 'object' && !Array.isArray(cur) && v && typeof v === 'object' && !Array.isArray(v) ? { ...cur, ...v } : v;
  }
  return out;
}

/**
 * A patch naming a field that does not exist is refused (400 naming it), not silently dropped: the
 * schema's sections are not strict, so a settings file from a newer version still loads.
 */
function assertKnownFields(patch: Record<string, unknown>): void {
  for (const [section, value] of Object.entries(patch)) {
    const known = (DEFAULT_SETTINGS as unknown as Record<string, unknown>)[section];
    if (!known || typeof value !== 'object' || value === null || Array.isArray(value)) continue; // the schema names these
    for (const field of Object.keys(value)) {
      if (!(field in (known as object))) throw new HttpError(400, `unknown settings field \`${section}.${field}\``, 'invalid_request_error', 'unknown_field', `${section}.${field}`);
    }
  }
}

export class SettingsStore {
  private current: Settings;
  readonly changes = new Listeners<Settings>();

  constructor(private readonly file: string) {
    this.current = this.load();
  }

  get(): Settings {
    return this.current;
  }

  update(patch: SettingsPatch | unknown): Settings {
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new HttpError(400, 'settings update must be a JSON object', 'invalid_request_error', 'invalid_json');
    if ('schemaVersion' in patch) throw new HttpError(400, '`schemaVersion` cannot be changed', 'invalid_request_error', 'invalid_value', 'schemaVersion');
    assertKnownFields(patch as Record<string, unknown>);
    const next = validate(schema.strict(), merge(this.current, patch), 'settings') as Settings;
    writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n');
    this.current = next;
    this.changes.emit(next);
    return next;
  }

  private load(): Settings {
    if (!existsSync(this.file)) return structuredClone(DEFAULT_SETTINGS);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (err) {
      throw new Error(`settings file ${this.file} is not valid JSON (${(err as Error).message}); fix or delete it`);
    }
    const r = schema.safeParse(merge(structuredClone(DEFAULT_SETTINGS), raw));
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new Error(`settings file ${this.file}: field \`${issue.path.join('.')}\` ${issue.message}`);
    }
    return r.data as Settings;
  }
}

/** Where the model library lives: the folder chosen in settings, else `<data>/models`. */
export function modelsFolder(layout: { settings: string; models: string }): string {
  return new SettingsStore(layout.settings).get().models.folder ?? layout.models;
}
