import { describe, expect, it } from 'vitest';
import { callbackDays, callbacksHref, countCallbacks, last30Days, series, summarize, type KPIReport } from './model';

function day(start: string, responses: number, nps: number | null, csat: number | null) {
  return {
    period: start,
    start,
    end: start,
    responses,
    nps,
    csat,
    complaintsOpened: 0,
    complaintsResolved: 0,
    slaCompliance: null,
    visits: 0,
    repeatVisitRate: null,
    activeMembers: 0,
    pointsIssued: 0,
    pointsRedeemed: 0,
  };
}

describe('Today', () => {
  it('asks for the 30 local days ending today in the location zone', () => {
    // 23:30 UTC on Dec 5 is already Dec 6 in Shanghai, still Dec 5 in London.
    const now = new Date('2026-12-05T23:30:00Z');
    expect(last30Days(now, 'Asia/Shanghai')).toEqual({ from: '2026-11-07', to: '2026-12-06' });
    expect(last30Days(now, 'Europe/London')).toEqual({ from: '2026-11-06', to: '2026-12-05' });
    // Across a month and a year boundary.
    expect(last30Days(new Date('2027-01-10T12:00:00Z'), 'UTC')).toEqual({ from: '2026-12-12', to: '2027-01-10' });
  });

  it('weighs the days by their responses, and says null where nobody answered', () => {
    const report: KPIReport = {
      from: '2026-12-04',
      to: '2026-12-06',
      interval: 'day',
      locations: ['loc-1'],
      intervals: [day('2026-12-04', 3, 100, 100), day('2026-12-05', 1, -100, 0), day('2026-12-06', 0, null, null)],
    };
    const s = summarize(report, '2026-12-06');
    expect(s.nps).toEqual({ today: null, period: 50 });
    expect(s.csat).toEqual({ today: null, period: 75 });
    expect(s.responses).toBe(4);
    expect(summarize(report, '2026-12-05').nps.today).toBe(-100);
    expect(summarize({ ...report, intervals: [] }, '2026-12-06')).toEqual({ nps: { today: null, period: null }, csat: { today: null, period: null }, responses: 0 });
    expect(series(report)[2]).toEqual({ day: '2026-12-06', nps: null, csat: null });
  });

  it('rounds the weighted score to one decimal', () => {
    const report: KPIReport = {
      from: '2026-12-05',
      to: '2026-12-06',
      interval: 'day',
      locations: ['loc-1'],
      intervals: [day('2026-12-05', 2, 10, 80), day('2026-12-06', 1, 20, 90)],
    };
    expect(summarize(report, '2026-12-06').nps).toEqual({ today: 20, period: 13.3 });
  });

  it('counts the callbacks of the last 7 local days, and links to the same in the follow-ups', () => {
    const now = new Date('2026-12-05T23:30:00Z');
    expect(callbackDays(now, 'Asia/Shanghai')).toEqual({ from: '2026-11-30', to: '2026-12-06' });
    expect(
      countCallbacks([
        { kind: 'recovery-callback', status: 'sent' },
        { kind: 'complaint-callback', status: 'scheduled' },
        { kind: 'complaint-callback', status: 'cancelled' },
        { kind: 'recovery-callback', status: 'failed' },
        { kind: 'birthday', status: 'scheduled' },
      ]),
    ).toBe(2);
    expect(callbacksHref('loc-1', { from: '2026-11-30', to: '2026-12-06' })).toBe(
      '/followups?locationId=loc-1&kind=recovery-callback%2Ccomplaint-callback&status=scheduled%2Cqueued%2Csending%2Csent&from=2026-11-30&to=2026-12-06',
    );
    expect(callbacksHref(undefined, { from: '2026-11-30', to: '2026-12-06' })).not.toContain('locationId');
  });
});
