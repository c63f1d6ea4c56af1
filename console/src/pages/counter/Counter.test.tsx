import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import CounterArea from '.';

const customer = { customerId: 'c-7', name: 'Wang Fang', phone: '+8613912345678', locationId: 'loc-1', version: 1, visits: 0, monetary: 0 };
const location = { locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai' };
const rules = { currency: 'CNY', tiers: [{ name: 'member', threshold: 0 }, { name: 'silver', threshold: 1000 }] };

/**
 * A loyalty API over one account, enough for the counter: search, balance, earn, redeem.
 * Its balance read lags as DynamoDB's eventually consistent read may: the first plain
 * read after a change still shows the points before it; fresh=true shows them now.
 */
function fakeLoyalty() {
  let balance = 0;
  let settled = 0;
  const bodies: unknown[] = [];
  const fetch = async (req: Request) => {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path === '/v1/locations') return json(200, { items: [location] });
    if (path === '/v1/settings/loyalty') return json(200, rules);
    if (path === '/v1/customers') return json(200, { items: url.searchParams.get('q') === '139 1234 5678' ? [customer] : [], nextCursor: null });
    if (path === '/v1/customers/c-7') return json(200, customer);
    if (path === '/v1/loyalty/c-7') {
      let shown = balance;
      if (url.searchParams.get('fresh') !== 'true') [shown, settled] = [settled, balance];
      return json(200, { balance: shown, pending: 0, tier: 'member', earned12m: shown, nextTier: { tier: 'silver', pointsNeeded: 1000 - shown }, expiring: [] });
    }
    if (path === '/v1/loyalty/c-7/earn') {
      const body = (await req.json()) as { amount: number; sourceId: string };
      bodies.push(body);
      balance += Math.floor(body.amount);
      return json(201, { entryId: 'e1', customerId: 'c-7', type: 'earn', sourceId: body.sourceId, points: Math.floor(body.amount), at: '2026-12-06T08:00:00Z' });
    }
    if (path === '/v1/loyalty/c-7/redeem') {
      const body = (await req.json()) as { points: number; sourceId: string };
      bodies.push(body);
      if (body.points > balance) {
        return json(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: `not enough points: ${balance} available, ${body.points} asked`, reason: 'points-short', facts: { available: balance, needed: body.points } });
      }
      balance -= body.points;
      return json(201, { entryId: 'e2', customerId: 'c-7', type: 'redeem', sourceId: body.sourceId, points: -body.points, at: '2026-12-06T08:01:00Z' });
    }
    return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
  };
  return { fetch, bodies };
}

describe('Counter', () => {
  afterEach(() => setLocale('en'));

  it('finds a member by phone, earns for a bill, redeems, and says a redeem above the balance in words', async () => {
    setLocale('en');
    const api = fakeLoyalty();
    const { requests } = renderPage(<CounterArea />, { groups: ['agent'], locations: 'loc-1', fetch: api.fetch, path: '/counter' });

    fireEvent.change(await screen.findByLabelText('Member’s phone (or email, name, id)'), { target: { value: '139 1234 5678' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Search' })));
    // One member for that phone: chosen at once.
    expect(await screen.findByRole('heading', { name: /Member: Wang Fang/ })).toBeTruthy();

    fireEvent.change(await screen.findByLabelText('Bill number'), { target: { value: 'B 1024' } });
    fireEvent.change(screen.getByLabelText('Amount (CNY)'), { target: { value: '120.00' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Earn points' })));
    // Read with fresh=true after its own earn: the plain read would still say 0.
    expect(await screen.findByText('New balance: 120 points')).toBeTruthy();
    expect(api.bodies[0]).toEqual({ sourceId: 'bill:B-1024', amount: 120, currency: 'CNY', locationId: 'loc-1' });
    expect(requests.some((r) => r.url.endsWith('/v1/loyalty/c-7?fresh=true'))).toBe(true);

    fireEvent.change(screen.getByLabelText('Points to redeem'), { target: { value: '50' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Redeem' })));
    expect(await screen.findByText('New balance: 70 points')).toBeTruthy();

    fireEvent.change(screen.getByLabelText('Points to redeem'), { target: { value: '500' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Redeem' })));
    const alert = await screen.findByText('Not enough points: balance', { exact: false });
    expect(alert.textContent).toBe('Not enough points: balance 70.');
    expect(requests.every((r) => r.headers.get('Authorization') === 'Bearer test-id-token')).toBe(true);
  });

  it('offers adjustments to managers only', async () => {
    setLocale('en');
    renderPage(<CounterArea />, { groups: ['agent'], locations: 'loc-1', fetch: fakeLoyalty().fetch, path: '/counter?customerId=c-7' });
    expect(await screen.findByRole('button', { name: 'Redeem' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Adjust' })).toBeNull();
  });

  it('speaks Chinese, the member data left as it is', async () => {
    setLocale('zh-CN');
    renderPage(<CounterArea />, { groups: ['manager'], locations: 'loc-1', fetch: fakeLoyalty().fetch, path: '/counter?customerId=c-7' });
    const heading = await screen.findByRole('heading', { name: /会员: Wang Fang/ });
    expect(within(heading).getByText('Wang Fang').closest('[translate="no"]')).toBeTruthy();
    expect(screen.getByRole('button', { name: /^调\s?整$/ })).toBeTruthy();
  });
});
