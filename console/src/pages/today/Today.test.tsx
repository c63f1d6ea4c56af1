import { screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import TodayArea from '.';

const locations = { items: [{ locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai', version: 1 }] };

function open(id: string, status: string, breached: boolean) {
  return {
    complaintId: id,
    reference: `REF-${id}`,
    locationId: 'loc-1',
    channel: 'phone',
    category: 'billing',
    severity: 'normal',
    status,
    version: 1,
    createdAt: '2026-12-06T01:00:00Z',
    acknowledgeBy: '2099-12-06T03:00:00Z',
    resolveBy: '2099-12-08T01:00:00Z',
    breached,
  };
}

describe('Today', () => {
  afterEach(() => setLocale('en'));

  it('counts open and breached cases, each a link to the filtered queue, and says scores are unavailable on 404', async () => {
    setLocale('en');
    const { requests } = renderPage(<TodayArea />, {
      groups: ['agent'],
      locations: 'loc-1',
      fetch: (req) => {
        const url = new URL(req.url);
        if (url.pathname === '/v1/locations') return json(200, locations);
        if (url.pathname === '/v1/reports/kpis') return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
        if (url.pathname === '/v1/followups') {
          const f = (id: string, kind: string, status: string) => ({ followupId: id, kind, status, dueAt: '2026-12-06T01:00:00Z', requestedAt: '2026-12-06T01:00:00Z', recipient: {} });
          return json(200, { items: [f('f1', 'recovery-callback', 'sent'), f('f2', 'complaint-callback', 'cancelled'), f('f3', 'birthday', 'scheduled')], nextCursor: null });
        }
        const status = url.searchParams.get('status');
        if (status === 'received') return json(200, { items: [open('a', 'received', true), open('b', 'received', false)], nextCursor: null });
        if (status === 'in_progress') return json(200, { items: [open('c', 'in_progress', true)], nextCursor: null });
        return json(200, { items: [], nextCursor: null });
      },
    });
    const openLink = await screen.findByRole('link', { name: 'Open cases: 3. Show them in the queue' });
    expect(openLink.getAttribute('href')).toBe('/complaints?status=open&locationId=loc-1');
    const breached = screen.getByRole('link', { name: 'Open cases past their SLA: 2. Show them in the queue' });
    expect(breached.getAttribute('href')).toBe('/complaints?status=open&locationId=loc-1&breached=true');
    expect(await screen.findByText('Scores are not available: this Rapport has no KPI report.')).toBeTruthy();
    const callbacks = await screen.findByRole('link', { name: 'Callbacks due: 1. Show them in the follow-ups' });
    expect(callbacks.getAttribute('href')).toMatch(/^\/followups\?locationId=loc-1&kind=recovery-callback%2Ccomplaint-callback&status=.*&from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/);
    const fu = new URL(requests.find((r) => r.url.includes('/v1/followups'))!.url).searchParams;
    expect(fu.get('locationId')).toBe('loc-1');
    expect(fu.get('from')).toMatch(/T16:00:00.000Z$/); // midnight in Shanghai
    const kpi = new URL(requests.find((r) => r.url.includes('/v1/reports/kpis'))!.url).searchParams;
    expect(kpi.get('interval')).toBe('day');
    expect(kpi.get('locationId')).toBe('loc-1');
    expect(kpi.get('from')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('shows NPS and CSAT today against the 30 days, in Chinese', async () => {
    setLocale('zh-CN');
    renderPage(<TodayArea />, {
      groups: ['agent'],
      locations: 'loc-1',
      fetch: (req) => {
        const url = new URL(req.url);
        if (url.pathname === '/v1/locations') return json(200, locations);
        if (url.pathname === '/v1/reports/kpis') {
          const to = url.searchParams.get('to')!;
          // The parts behind each day's scores: NPS answers, promoters, detractors, CSAT answers, satisfied.
          const day = (start: string, responses: number, nps: number | null, csat: number | null, [npsAnswers, promoters, detractors, csatAnswers, satisfied]: number[]) => ({
            period: start, start, end: start, responses, nps, csat, npsAnswers, promoters, detractors, csatAnswers, satisfied,
            complaintsOpened: 0, complaintsResolved: 0, slaCompliance: null,
            visits: 0, repeatVisitRate: null, activeMembers: 0, pointsIssued: 0, pointsRedeemed: 0,
          });
          return json(200, { from: url.searchParams.get('from'), to, interval: 'day', locations: ['loc-1'],
            intervals: [day('2026-11-01', 10, 40, 90, [5, 3, 1, 10, 9]), day(to, 5, -20, 50, [5, 1, 2, 2, 1])] });
        }
        return json(200, { items: [], nextCursor: null });
      },
    });
    expect(await screen.findByRole('link', { name: '净推荐值, 今日: -20. 查看调查结果' })).toBeTruthy();
    expect(screen.getByRole('link', { name: '净推荐值, 近 30 天: 10. 查看调查结果' }).getAttribute('href')).toBe('/surveys');
    expect(screen.getByRole('link', { name: '满意度, 近 30 天: 83.3%. 查看调查结果' })).toBeTruthy();
    expect(await screen.findByText('没有等待处理的投诉。')).toBeTruthy();
  });
});
