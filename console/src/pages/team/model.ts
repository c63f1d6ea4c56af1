import type { components } from '../../api/schema';

/** The Team page's pure logic: how a staff member is named and a median is said. */

export type StaffFigures = components['schemas']['StaffFigures'];
export type StaffWeek = components['schemas']['StaffWeek'];
export type StaffMember = components['schemas']['StaffMember'];
export type BucketMedian = components['schemas']['BucketMedian'];

/** The name a staff member goes by: the directory's, or the bare id. */
export function staffLabel(f: Pick<StaffFigures, 'staffId' | 'name'>): string {
  return f.name?.trim() || f.staffId;
}

/** A duration in business minutes, in hours when whole and two or more: key and number. */
export function durationParts(minutes: number): { key: 'time.minutes' | 'time.hours'; n: number } {
  // Business hours differ by location, so no "days": hours are what they are everywhere.
  if (minutes >= 120 && minutes % 60 === 0) return { key: 'time.hours', n: minutes / 60 };
  return { key: 'time.minutes', n: minutes };
}

/** How a bucketed median is said: at most its bound, or over the last bound; none is null. */
export function medianParts(m: BucketMedian | null | undefined): { key: 'median.atMost' | 'median.over'; minutes: number } | null {
  if (!m) return null;
  if (m.atMost) return { key: 'median.atMost', minutes: m.atMost };
  if (m.over) return { key: 'median.over', minutes: m.over };
  return null;
}

/** The trend chart's rows: each week's scores (null below the minimum) and visits. */
export function trendRows(weeks: readonly StaffWeek[]): { week: string; nps: number | null; csat: number | null; visits: number }[] {
  return weeks.map((w) => ({
    week: w.period.replace(/^\d{4}-/, ''),
    nps: w.notEnoughData ? null : w.nps,
    csat: w.notEnoughData ? null : w.csat,
    visits: w.visits,
  }));
}

/** A directory entry's staff id as the API takes it. */
export const STAFF_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
