// Business hours in a time zone (pure): which stretches of UTC time count for an availability target
// ("99.5 % Monday–Friday 08:00–18:00 Europe/Berlin"), and a month's window in that zone. Wall-clock
// times are converted with the runtime's ICU time-zone data (Intl), so daylight-saving changes are
// honoured: a 00:00–24:00 day is 23 h when clocks go forward and 25 h when they go back.
import type { BusinessHours } from '../../contract/index.js';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows this IANA time-zone name. */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** The zone's local calendar fields at a UTC instant. */
export function localParts(timeZone: string, utcMs: number): { year: number; month: number; day: number; minutes: number } {
  const p = Object.fromEntries(
    formatter(timeZone)
      .formatToParts(utcMs)
      .map((x) => [x.type, Number(x.value)]),
  ) as Record<string, number>;
  return { year: p.year!, month: p.month!, day: p.day!, minutes: p.hour! * 60 + p.minute! + p.second! / 60 };
}

/** Local time minus UTC at an instant, ms (+3,600,000 for Berlin in winter). */
function offsetMs(timeZone: string, utcMs: number): number {
  const whole = Math.floor(utcMs / 1000) * 1000;
  const l = localParts(timeZone, whole);
  return Date.UTC(l.year, l.month - 1, l.day, 0, 0) + Math.round(l.minutes * MINUTE_MS) - whole;
}

/**
 * The UTC instant of a local wall-clock time (month 1–12; day and minutes may overflow: day 32 is the
 * next month's 1st, 1440 minutes is the next midnight). As JavaScript's Date and Temporal do: a time
 * skipped when clocks go forward is read with the offset before the change (02:30 → 03:30), a
 * repeated one when they go back is its first occurrence.
 */
export function localToUtc(timeZone: string, year: number, month: number, day: number, minutes: number): number {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  // The offset half a day earlier is the one before any change near this time.
  const before = wall - offsetMs(timeZone, wall - 12 * 3_600_000);
  const after = wall - offsetMs(timeZone, before);
  return wall - offsetMs(timeZone, after) === after ? after : before;
}

/** 'HH:MM' (or '24:00') → minutes after midnight. */
export function clockMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** The business-hours windows overlapping [fromMs, toMs), as UTC [start, end) pairs in order. 24/7 (null): the whole window. */
export function businessWindows(fromMs: number, toMs: number, hours: BusinessHours | null, timeZone: string): [number, number][] {
  if (toMs <= fromMs) return [];
  if (!hours) return [[fromMs, toMs]];
  const days = new Set(hours.days);
  const from = clockMinutes(hours.from);
  const to = clockMinutes(hours.to);
  const start = localParts(timeZone, fromMs);
  const out: [number, number][] = [];
  // From the local day before the window (a window may start in the previous local day) until past its end.
  for (let i = -1; ; i++) {
    const date = new Date(Date.UTC(start.year, start.month - 1, start.day + i));
    const [y, m, d] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    const dayStart = localToUtc(timeZone, y, m, d, 0);
    if (dayStart >= toMs) break;
    if (!days.has(date.getUTCDay())) continue;
    const a = Math.max(fromMs, localToUtc(timeZone, y, m, d, from));
    const b = Math.min(toMs, to === DAY_MINUTES ? localToUtc(timeZone, y, m, d + 1, 0) : localToUtc(timeZone, y, m, d, to));
    if (b > a) out.push([a, b]);
  }
  return out;
}

/** Seconds of [a, b) inside the windows. */
export function secondsWithin(windows: [number, number][], a: number, b: number): number {
  let ms = 0;
  for (const [s, e] of windows) {
    if (e <= a) continue;
    if (s >= b) break;
    ms += Math.min(b, e) - Math.max(a, s);
  }
  return ms / 1000;
}

/** `YYYY-MM` in the zone → its UTC window. */
export function zonedMonthWindow(year: number, month: number, timeZone: string): { fromMs: number; toMs: number } {
  return { fromMs: localToUtc(timeZone, year, month, 1, 0), toMs: localToUtc(timeZone, year, month + 1, 1, 0) };
}

/** The zone's current month, `YYYY-MM`. */
export function zonedMonth(utcMs: number, timeZone: string): string {
  const l = localParts(timeZone, utcMs);
  return `${l.year}-${String(l.month).padStart(2, '0')}`;
}
