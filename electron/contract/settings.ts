// User settings (one JSON document in the data dir) and API keys, as the API and UI see them.
import type { BusinessHours } from './reports.js';

export type Theme = 'system' | 'light' | 'dark';
export type KeyScope = 'inference' | 'admin';

export interface Settings {
  schemaVersion: 1;
  api: {
    /** Bind address: 127.0.0.1 (default, this machine only) or 0.0.0.0 / a LAN address (needs an API key). */
    host: string;
    port: number;
    /** Origins allowed to call the API from a browser; empty = CORS off. */
    corsOrigins: string[];
    /** Extra Host header values accepted besides localhost and the bind address (DNS-rebinding guard). */
    allowedHosts: string[];
  };
  gateway: {
    /** Requests waiting per model beyond its slots before 429. */
    queueDepth: number;
    maxBodyBytes: number;
    /** Upper bound for a whole upstream request. */
    requestTimeoutSeconds: number;
    /** How long a request waits for its model to load. */
    loadTimeoutSeconds: number;
    /** Idle models unload after this long; 0 = never. */
    idleTtlSeconds: number;
  };
  models: {
    /** Model ids never unloaded by the idle timer or evicted by placement. */
    pinned: string[];
    folder: string | null;
  };
  privacy: {
    requestLogRetentionDays: number;
    /** Store prompt and completion text in the request log. Off by default: it is customer data. */
    logContent: boolean;
  };
  engines: {
    releaseSource: 'github' | 'mirror' | 'offline';
    mirrorUrl: string | null;
    tag: string | null;
    /** Run engines at trace log level (memory buffer facts per device; much chattier). */
    traceLogs: boolean;
    /** Each engine's prompt cache in RAM (`--cache-ram`, MiB; 0 = off). Counted in the planner's RAM budget. */
    cacheRamMiB: number;
    /** Engine id (or path) deployments without a pinned engine run on; null: `--engine`, else the newest installed. */
    defaultEngine: string | null;
    /** Probe each ready engine's /health this often (0 = never); read when the core starts. */
    livenessIntervalSeconds: number;
    /** Probes in a row without an answer before an engine is declared hung, killed and restarted. */
    livenessMisses: number;
  };
  hub: {
    endpoint: string;
    token: string | null;
  };
  placement: {
    /** Kept free on every GPU. */
    safetyMarginMiB: number;
    /** Context tokens per slot when the user does not say (lowered to fit GPUs, never below 2048). */
    defaultContextSize: number;
    /** Parallel slots per model (concurrent requests) when the user does not say. */
    defaultParallel: number;
  };
  ui: {
    theme: Theme;
    saveConversations: boolean;
  };
  /** Service-level objectives the operations report measures against, and its alerts and costs. */
  reports: SloSettings & {
    /** When availability counts: null is 24/7. */
    businessHours: BusinessHours | null;
    /** IANA time zone of the business hours and of the report's months (`Europe/Berlin`). */
    timeZone: string;
    /** Targets of single deployments that differ from the ones above (by deployment name). */
    deploymentSlos: Record<string, Partial<SloSettings>>;
    /** Alerts are POSTed here as JSON (retried; never carrying request content); null: no webhook. */
    webhookUrl: string | null;
    /** Electricity price per kWh, in `currency`. */
    pricePerKwh: number;
    /** Hardware cost spread per month (0: none). */
    amortisationPerMonth: number;
    /** A public API's price per million tokens, shown beside ours (null: not set). */
    referencePricePerMillionTokens: number | null;
    /** The CPU's TDP in watts for the (labelled) CPU energy estimate; null: no CPU estimate. */
    cpuTdpWatts: number | null;
    currency: string;
  };
  network: {
    /** Offline mode: the app opens no connection beyond this machine (hub, engine downloads, updates say so instead). */
    offline: boolean;
  };
}

/** The three targets, globally or for one deployment. */
export interface SloSettings {
  availabilityTargetPercent: number;
  ttftP95TargetMs: number;
  errorRateTargetPercent: number;
}

/** Deep-partial update accepted by PATCH /api/v1/settings. */
export type SettingsPatch = { [K in keyof Settings]?: K extends 'schemaVersion' ? never : Partial<Settings[K]> };

/** What a key may use and how much; null = no limit. */
export interface KeyLimits {
  /** Deployments or aliases the key may use; null = all. */
  models: string[] | null;
  /** ISO time after which the key answers 401 `key_expired`. */
  expiresAt: string | null;
  /** Requests per minute (a bucket of that size, refilled evenly over the minute). */
  rpm: number | null;
  /** Prompt + completion tokens per calendar day / month (the machine's local time). */
  tokensPerDay: number | null;
  tokensPerMonth: number | null;
}

export interface KeyUsageCount {
  requests: number;
  tokens: number;
}

export interface KeyUsage {
  /** Local calendar day (YYYY-MM-DD) and month (YYYY-MM) the counts belong to. */
  day: string;
  month: string;
  today: KeyUsageCount;
  thisMonth: KeyUsageCount;
}

export interface ApiKeyInfo extends KeyLimits {
  id: string;
  name: string;
  scope: KeyScope;
  /** First characters of the key, for recognising it in lists. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** Usage today and this month (GET /api/v1/keys). */
  usage?: KeyUsage;
}

export interface CreateKeyRequest extends Partial<KeyLimits> {
  name: string;
  scope: KeyScope;
}

/** PATCH /api/v1/keys/:id: the fields given replace the key's; null removes a limit. */
export type UpdateKeyRequest = Partial<KeyLimits> & { name?: string };

/** Returned once, on creation: the only time the secret is shown. */
export interface CreateKeyResponse {
  key: string;
  info: ApiKeyInfo;
}
