// The operations report: availability, latency, errors and usage per deployment and API key for one
// month (GET /api/v1/reports?month=YYYY-MM&format=json|csv|html|jsonl, `llama-orch report`).

/** `jsonl`: not the report but the month's request rows from the store (metadata only), one JSON object a line. */
export const REPORT_FORMATS = ['json', 'csv', 'html', 'jsonl'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface Percentiles {
  /** How many requests had this measurement. */
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface Incident {
  deployment: string;
  start: string;
  /** null: still down at the end of the report's window. */
  end: string | null;
  durationSeconds: number;
  /** `crash`, `hung` or `failed`, and the supervisor's words for it. */
  kind: string;
  cause: string | null;
}

export interface UsageFigures {
  requests: number;
  /** Answers that failed on our side or the engine's (5xx, engine stopped, timeout). */
  errors: number;
  errorRatePercent: number | null;
  promptTokens: number;
  completionTokens: number;
}

export interface DeploymentReport extends UsageFigures {
  deployment: string;
  /** null: never observed running in this window. */
  availabilityPercent: number | null;
  monitoredSeconds: number;
  downtimeSeconds: number;
  /** Share of the downtime the availability target allows that is still unused (negative: overspent). */
  errorBudgetLeftPercent: number | null;
  /** Share of the errors the error-rate target allows for these requests that is still unused. */
  errorRateBudgetLeftPercent: number | null;
  /** The targets this deployment is measured against (the global ones unless overridden). */
  slo: SloTargets;
  incidents: Incident[];
  /** Time to first token of streamed answers, ms (raw rows within the retention only). */
  ttftMs: Percentiles;
  /** Time per output token, ms. */
  tpotMs: Percentiles;
}

export interface KeyReportUsage extends UsageFigures {
  /** The key's id (never its value); null: requests without a key (open loopback). */
  keyId: string | null;
}

/**
 * An outage began (`down`: crashed or hung, restarting; `failed`: gave up) or ended (`recovered`),
 * or errors burn the error budget faster than the SLO allows (`budget-burn`).
 */
export interface Alert {
  time: string;
  deployment: string;
  kind: 'down' | 'hung' | 'failed' | 'recovered' | 'budget-burn';
  /** The supervisor's words (redacted: never request content). */
  reason: string | null;
}

export interface DailyFigures {
  day: string;
  requests: number;
  errors: number;
  /** null for rolled-up days (latencies are not kept) and days without streamed answers. */
  ttftP95Ms: number | null;
}

/** The hours availability counts in, in the report's time zone. */
export interface BusinessHours {
  /** Days of the week, 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** Local wall-clock 'HH:MM'; `to` is later than `from` and may be '24:00'. */
  from: string;
  to: string;
}

export interface SloTargets {
  availabilityPercent: number;
  ttftP95Ms: number;
  errorRatePercent: number;
}

export interface EnergyFigures {
  /** Integrated from measured GPU power samples (0 when none were recorded). */
  gpuKwh: number;
  /** An estimate: CPU TDP × utilisation (null without a TDP setting). */
  cpuKwhEstimate: number | null;
  /** Seconds of the window covered by GPU power samples. */
  gpuMeasuredSeconds: number;
  currency: string;
  energyCost: number;
  amortisation: number;
  total: number;
  perMillionTokens: number | null;
  referencePerMillionTokens: number | null;
  referenceCost: number | null;
}

export interface OpsReport {
  month: string;
  from: string;
  /** The end of the window: the month's end, or now for the current month. */
  to: string;
  generatedAt: string;
  /** The IANA zone of the month's bounds and the business hours; times in the report are UTC ISO. */
  timeZone: string;
  /** Availability counts only in these hours; null: 24/7. */
  businessHours: BusinessHours | null;
  slo: SloTargets;
  total: Omit<DeploymentReport, 'deployment'>;
  deployments: DeploymentReport[];
  keys: KeyReportUsage[];
  energy: EnergyFigures;
  /** Alerts raised in the window, oldest first. */
  alerts: Alert[];
  /** Per UTC day with requests (raw rows and rollups), for the charts. */
  daily: DailyFigures[];
  /** Days whose request rows were rolled up (counts and tokens only, no latencies). */
  rolledUpDays: number;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** When availability counts, for people: "24/7" or "Mon, Tue, Wed, Thu, Fri 08:00–18:00 Europe/Berlin". */
export function countedWhen(r: Pick<OpsReport, 'businessHours' | 'timeZone'>): string {
  const h = r.businessHours;
  if (!h) return '24/7';
  const days = [...h.days].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7)); // Monday first
  return `${days.map((d) => DAY_NAMES[d]).join(', ')} ${h.from}–${h.to} ${r.timeZone}`;
}
