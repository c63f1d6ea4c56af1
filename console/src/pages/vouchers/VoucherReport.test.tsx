import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import VouchersArea from '.';

const area = (
  <Routes>
    <Route path="/vouchers/*" element={<VouchersArea />} />
  </Routes>
);

const locations = [
  { locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai' },
  { locationId: 'loc-2', name: 'Lake Inn', timeZone: 'Asia/Shanghai' },
];

const figures = (issued: number, redeemed: number, expired = 0) => ({
  issued,
  redeemed,
  cancelled: 0,
  expired,
  pointsSpent: redeemed * 100,
  redemptionRate: issued ? redeemed / issued : null,
});

/** The voucher report over two locations: five issued, two redeemed, one expired. */
function fakeReport() {
  const asked: URLSearchParams[] = [];
  const fetch = async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/v1/locations') return json(200, { items: locations });
    if (url.pathname === '/v1/rewards') {
      return json(200, { rewards: [{ rewardId: 'twenty-off', name: { 'zh-CN': '减二十元', en: 'Twenty off' }, pointsCost: 100, kind: 'voucher', validDays: 30, active: true, version: 1 }] });
    }
    if (url.pathname === '/v1/reports/vouchers') {
      asked.push(url.searchParams);
      return json(200, {
        from: url.searchParams.get('from'),
        to: url.searchParams.get('to'),
        locations: ['loc-1', 'loc-2'],
        total: figures(5, 2, 1),
        byReward: { 'twenty-off': figures(3, 2) },
        byCampaign: { 'spring-2027': figures(2, 0, 1) },
        byLocation: { 'loc-1': figures(4, 2, 1), 'loc-2': figures(1, 0) },
      });
    }
    return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
  };
  return { fetch, asked };
}

describe('the voucher report', () => {
  afterEach(() => setLocale('en'));

  it('shows the totals and each breakdown in words: rewards and locations by name, the rate as a percentage', async () => {
    setLocale('zh-CN');
    const api = fakeReport();
    renderPage(area, { groups: ['manager'], locations: 'loc-1,loc-2', fetch: api.fetch, path: '/vouchers/report' });
    const byReward = (await screen.findByRole('heading', { name: '按礼遇' })).closest('.ant-card') as HTMLElement;
    expect(await within(byReward).findByText('减二十元')).toBeTruthy();
    expect(within(byReward).getByText('66.7%')).toBeTruthy();
    const byCampaign = screen.getByRole('heading', { name: '按活动' }).closest('.ant-card') as HTMLElement;
    expect(within(byCampaign).getByText('spring-2027')).toBeTruthy();
    const byLocation = screen.getByRole('heading', { name: '按门店' }).closest('.ant-card') as HTMLElement;
    expect(within(byLocation).getByText('Harbour Hotel')).toBeTruthy();
    expect(within(byLocation).getByText('Lake Inn')).toBeTruthy();
    expect(screen.getByText('40%')).toBeTruthy();
    expect(api.asked.at(-1)?.has('locationId')).toBe(false);
  });

  it('asks for the one location a manager works at, and leaves out the breakdown by location', async () => {
    setLocale('en');
    const api = fakeReport();
    renderPage(area, { groups: ['manager'], locations: 'loc-1', fetch: api.fetch, path: '/vouchers/report' });
    expect(await screen.findByRole('heading', { name: 'By reward' })).toBeTruthy();
    expect(await screen.findByText('Twenty off')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'By location' })).toBeNull();
    expect(api.asked.at(-1)?.get('locationId')).toBe('loc-1');
  });
});
