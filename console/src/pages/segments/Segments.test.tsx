import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import SegmentsArea from '.';

const locations = { items: [{ locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai', version: 1 }] };
const segment = { segmentId: 'seg-1', name: 'Regulars', filter: { locationId: 'loc-1', tags: ['regular'], minVisits: 2 }, createdAt: '2026-12-06T07:00:00Z' };
const members = [
  { customerId: 'c-1', name: 'Leo Lee', visits: 3, lastVisit: '2026-12-01T02:00:00Z', tags: ['regular'], value: { rfm: { r: 5, f: 4, m: 3 }, abc: 'A', tier: 'vip' } },
  { customerId: 'c-2', name: 'Mei Han', visits: 2, tags: ['regular'] },
];

const area = (
  <Routes>
    <Route path="/segments/*" element={<SegmentsArea />} />
  </Routes>
);

function api(req: Request): Response | Promise<Response> {
  const path = new URL(req.url).pathname;
  if (path === '/v1/locations') return json(200, locations);
  if (path === '/v1/segments' && req.method === 'GET') return json(200, { items: [segment], nextCursor: null });
  if (path === '/v1/segments' && req.method === 'POST') return json(201, { ...segment, segmentId: 'seg-2' });
  if (path.endsWith('/customers')) return json(200, { segment, items: members, nextCursor: null });
  if (path === '/v1/settings/value') return json(200, { winBack: { days: 90, periodDays: 90 }, version: 4 });
  if (path === '/v1/settings/loyalty') return json(200, { currency: 'CNY', tiers: [{ name: 'member', threshold: 0 }] });
  return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
}

describe('Segments', () => {
  afterEach(() => setLocale('en'));

  it('lists the segments with their conditions in words', async () => {
    setLocale('en');
    renderPage(area, { groups: ['manager'], locations: 'loc-1', path: '/segments', fetch: api });
    expect(await screen.findByRole('link', { name: 'Regulars' })).toBeTruthy();
    expect(screen.getByText('At least 2 visits')).toBeTruthy();
    expect(await screen.findByText(/a customer without a visit for 90 days/)).toBeTruthy();
  });

  it('builds a segment from the tags and opens it with its count', async () => {
    setLocale('en');
    const { requests } = renderPage(area, { groups: ['manager'], locations: 'loc-1', path: '/segments/new', fetch: api });
    fireEvent.change(await screen.findByLabelText('Name'), { target: { value: 'Regulars' } });
    await screen.findByText('Harbour Hotel');
    fireEvent.change(screen.getByLabelText('At least this many visits'), { target: { value: '2' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Save the segment' })));
    await waitFor(() => expect(requests.some((r) => r.method === 'POST')).toBe(true));
    const body = await requests.find((r) => r.method === 'POST')!.json();
    expect(body).toEqual({ name: 'Regulars', filter: { locationId: 'loc-1', minVisits: 2 } });
    const count = (await screen.findByText('Customers in it now')).closest('.ant-statistic')!;
    expect(count.querySelector('.ant-statistic-content-value')!.textContent).toBe('2');
    expect(screen.getByRole('link', { name: 'Leo Lee' })).toBeTruthy();
    expect(screen.getByText('Consent and the frequency cap apply')).toBeTruthy();
  });

  it('speaks Chinese on a segment’s page, the data as it is', async () => {
    setLocale('zh-CN');
    renderPage(area, { groups: ['manager'], locations: 'loc-1', path: '/segments/seg-1', fetch: api });
    expect(await screen.findByText('当前客户数')).toBeTruthy();
    expect(screen.getByText('贵宾客户')).toBeTruthy();
    expect(screen.getByText('Leo Lee').closest('[translate="no"]')).toBeTruthy();
  });

  it('sends a campaign with a voucher for each member, and says how many were issued', async () => {
    setLocale('en');
    const fetch = async (req: Request) => {
      if (req.method === 'POST' && new URL(req.url).pathname === '/v1/segments/seg-1/campaigns') {
        const body = await req.clone().json();
        return json(201, { ...body, dueAt: '2026-12-06T08:00:00Z', scheduled: 2, skipped: 0, vouchersIssued: 2 });
      }
      return api(req);
    };
    const { requests } = renderPage(area, { groups: ['manager'], locations: 'loc-1', path: '/segments/seg-1', fetch });
    const amount = await screen.findByLabelText('An amount off');
    act(() => fireEvent.click(amount));
    fireEvent.change(await screen.findByLabelText('Amount off (CNY)'), { target: { value: '20' } });
    expect((screen.getByLabelText('Valid for (days)') as HTMLInputElement).value).toBe('30');
    expect(screen.getByText(/Each member gets one voucher from this campaign/)).toBeTruthy();
    act(() => fireEvent.click(screen.getByRole('button', { name: /Send the campaign/ })));
    // The confirmation's own button sends.
    await screen.findByText('Send to the 2 customers in this segment?');
    act(() => fireEvent.click(screen.getAllByRole('button', { name: /Send the campaign/ }).at(-1)!));
    await waitFor(() => expect(requests.some((r) => r.method === 'POST')).toBe(true));
    const body = await requests.find((r) => r.method === 'POST')!.json();
    expect(body).toMatchObject({ templateId: 'win-back', voucher: { value: { amountOff: 20, currency: 'CNY' }, validDays: 30 } });
    const issued = (await screen.findByText('Vouchers issued')).closest('.ant-statistic')!;
    expect(issued.querySelector('.ant-statistic-content-value')!.textContent).toBe('2');
  });

  it('says a refusal in words', async () => {
    setLocale('en');
    renderPage(area, {
      groups: ['manager'],
      locations: 'loc-1',
      path: '/segments/seg-9',
      fetch: (req) => (new URL(req.url).pathname === '/v1/locations' ? json(200, locations) : json(404, { type: 'about:blank', title: 'Not Found', status: 404 })),
    });
    expect((await screen.findByRole('alert')).textContent).toContain('Not found');
  });
});
