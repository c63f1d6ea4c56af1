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
  /** The 30 days' score, from the days' summed parts (as the API computes a period's); null with none. */
  period: number | null;
}

export interface ScoreSummary {
  nps: Score;
  csat: Score;
  responses: number;
}

const oneDecimal = (v: number) => Math.round(v * 10) / 10;

/** NPS and CSAT of several intervals, from their summed parts: never an average of scores. */
export function combined(days: readonly Figures[]): { nps: number | null; csat: number | null } {
  let npsN = 0, pro = 0, det = 0, csatN = 0, sat = 0;
  for (const d of days) {
    npsN += d.npsAnswers;
    pro += d.promoters;
    det += d.detractors;
    csatN += d.csatAnswers;
    sat += d.satisfied;
  }
  return {
    nps: npsN === 0 ? null : oneDecimal(((pro - det) / npsN) * 100),
    csat: csatN === 0 ? null : oneDecimal((sat / csatN) * 100),
  };
}

/** Today's NPS and CSAT against the last 30 days, from a daily KPI report. */
export function summarize(report: KPIReport, today: string): ScoreSummary {
  const days = report.intervals;
  const t = days.find((d) => d.period === today || d.start === today);
  const period = combined(days);
  return {
    nps: { today: t?.nps ?? null, period: period.nps },
    csat: { today: t?.csat ?? null, period: period.csat },
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
