import { describe, expect, it } from 'vitest';
import { callbackDays, callbacksHref, countCallbacks, last30Days, series, summarize, type KPIReport } from './model';

/** A day's figures with its parts: promoters and detractors of npsAnswers, satisfied of csatAnswers. */
function day(start: string, responses: number, nps: number | null, csat: number | null, parts: [number, number, number, number, number] = [0, 0, 0, 0, 0]) {
  const [npsAnswers, promoters, detractors, csatAnswers, satisfied] = parts;
  return {
    period: start,
    start,
    end: start,
    responses,
    nps,
    csat,
    npsAnswers,
    promoters,
    detractors,
    csatAnswers,
    satisfied,
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

  it('adds the days up by their parts, and says null where nobody answered', () => {
    const report: KPIReport = {
      from: '2026-12-04',
      to: '2026-12-06',
      interval: 'day',
      locations: ['loc-1'],
      intervals: [
        day('2026-12-04', 3, 100, 100, [3, 3, 0, 3, 3]),
        day('2026-12-05', 1, -100, 0, [1, 0, 1, 1, 0]),
        day('2026-12-06', 0, null, null),
      ],
    };
    const s = summarize(report, '2026-12-06');
    expect(s.nps).toEqual({ today: null, period: 50 });
    expect(s.csat).toEqual({ today: null, period: 75 });
    expect(s.responses).toBe(4);
    expect(summarize(report, '2026-12-05').nps.today).toBe(-100);
    expect(summarize({ ...report, intervals: [] }, '2026-12-06')).toEqual({ nps: { today: null, period: null }, csat: { today: null, period: null }, responses: 0 });
    expect(series(report)[2]).toEqual({ day: '2026-12-06', nps: null, csat: null });
  });

  it('is exact where averaging the daily scores would not be', () => {
    // Day 1: 3 answers, 2 promoters, 1 detractor (NPS 33.3); day 2: 1 answer, a
    // passive (NPS 0). Weighted by responses, 25.0; from the parts, (2 − 1) / 4 = 25.0;
    // with CSAT answered by only some respondents the two differ.
    const report: KPIReport = {
      from: '2026-12-05',
      to: '2026-12-06',
      interval: 'day',
      locations: ['loc-1'],
      intervals: [day('2026-12-05', 3, 33.3, 100, [3, 2, 1, 1, 1]), day('2026-12-06', 1, 0, 0, [1, 0, 0, 3, 0])],
    };
    const s = summarize(report, '2026-12-06');
    expect(s.nps).toEqual({ today: 0, period: 25 });
    // 1 satisfied of 4 CSAT answers; an average weighted by responses would say 75.
    expect(s.csat).toEqual({ today: 0, period: 25 });
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
