import type { components } from '../../api/schema';
import { dayInZone } from '../../lib/format';

export type KPIReport = components['schemas']['KPIReport'];
type Figures = components['schemas']['KPIFigures'];

const DAY_MS = 24 * 60 * 60_000;

/**
 * The last 30 days at a location, today included, as the KPI report's from and to
 * (local calendar days in the zone).
 */
export function last30Days(now: Date, timeZone: string): { from: string; to: string } {
  const to = dayInZone(now, timeZone);
  // Noon UTC of the local day, less 29 days: a calendar step that no offset can skew.
  const from = new Date(Date.parse(`${to}T12:00:00Z`) - 29 * DAY_MS).toISOString().slice(0, 10);
  return { from, to };
}

export interface Score {
  /** Today's score, null when nobody answered today. */
  today: number | null;
  /** The 30 days' score: the daily scores weighted by the day's responses; null with none. */
  period: number | null;
}

export interface ScoreSummary {
  nps: Score;
  csat: Score;
  responses: number;
}

function weighted(days: readonly Figures[], pick: (f: Figures) => number | null | undefined): number | null {
  let sum = 0;
  let weight = 0;
  for (const d of days) {
    const v = pick(d);
    if (v === null || v === undefined || d.responses <= 0) continue;
    sum += v * d.responses;
    weight += d.responses;
  }
  return weight === 0 ? null : Math.round((sum / weight) * 10) / 10;
}

/** Today's NPS and CSAT against the last 30 days, from a daily KPI report. */
export function summarize(report: KPIReport, today: string): ScoreSummary {
  const days = report.intervals;
  const t = days.find((d) => d.period === today || d.start === today);
  return {
    nps: { today: t?.nps ?? null, period: weighted(days, (d) => d.nps) },
    csat: { today: t?.csat ?? null, period: weighted(days, (d) => d.csat) },
    responses: days.reduce((n, d) => n + d.responses, 0),
  };
}

/** The daily series for the trend chart: day, NPS, CSAT (null where nobody answered). */
export function series(report: KPIReport): { day: string; nps: number | null; csat: number | null }[] {
  return report.intervals.map((d) => ({ day: d.start, nps: d.nps ?? null, csat: d.csat ?? null }));
}

/** The follow-ups that are callbacks: the survey loop's to unhappy guests, and a complaint's after its resolution. */
export const CALLBACK_KINDS = ['recovery-callback', 'complaint-callback'] as const;
/** Callbacks still under way or made; cancelled, skipped and failed ones are not counted. */
export const CALLBACK_STATUSES = ['scheduled', 'queued', 'sending', 'sent'] as const;

/** The local days Today counts callbacks over: the last 7, today included. */
export function callbackDays(now: Date, timeZone: string): { from: string; to: string } {
  const to = dayInZone(now, timeZone);
  const from = new Date(Date.parse(`${to}T12:00:00Z`) - 6 * DAY_MS).toISOString().slice(0, 10);
  return { from, to };
}

/** The callbacks among a location's follow-ups. */
export function countCallbacks(items: readonly { kind: string; status: string }[]): number {
  return items.filter(
    (f) => (CALLBACK_KINDS as readonly string[]).includes(f.kind) && (CALLBACK_STATUSES as readonly string[]).includes(f.status),
  ).length;
}

/** The follow-ups list filtered to the callbacks counted (its ?kind, ?status, ?from, ?to). */
export function callbacksHref(locationId: string | undefined, days: { from: string; to: string }): string {
  const q = new URLSearchParams();
  if (locationId) q.set('locationId', locationId);
  q.set('kind', CALLBACK_KINDS.join(','));
  q.set('status', CALLBACK_STATUSES.join(','));
  q.set('from', days.from);
  q.set('to', days.to);
  return `/followups?${q.toString()}`;
}
