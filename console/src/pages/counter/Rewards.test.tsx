import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import CounterArea from '.';

const customer = { customerId: 'c-7', name: 'Wang Fang', phone: '+8613912345678', locationId: 'loc-1', version: 1, visits: 0, monetary: 0 };
const location = { locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai' };
const rules = { currency: 'CNY', tiers: [{ name: 'member', threshold: 0 }] };
const base = { kind: 'voucher', validDays: 30, active: true, version: 1, updatedAt: '2026-12-01T00:00:00Z' };
const twenty = { ...base, rewardId: 'twenty-off', name: { 'zh-CN': '减二十元', en: 'Twenty off' }, pointsCost: 100, value: { amountOff: 20, currency: 'CNY' }, stock: 5 };
const tea = { ...base, rewardId: 'tea', name: { 'zh-CN': '双人下午茶', en: 'Tea for two' }, kind: 'gift', pointsCost: 800, value: {} };

/** Loyalty and rewards over one member with 120 points: the catalogue as offered, and taking. */
function fakeRewards() {
  let balance = 120;
  let stock = 5;
  const takes: { body: { sourceId: string; locationId?: string }; key: string | null }[] = [];
  const offer = (r: typeof twenty | typeof tea) => {
    const s = 'stock' in r ? stock : undefined;
    const why = balance < r.pointsCost ? `not enough points: ${balance} available, ${r.pointsCost} needed` : '';
    const whyNot = why ? { why, whyReason: 'points-short', whyFacts: { available: balance, needed: r.pointsCost } } : {};
    return { ...r, ...(s === undefined ? {} : { stock: s }), offered: why === '', ...whyNot };
  };
  const fetch = async (req: Request) => {
    const url = new URL(req.url);
    const path = url.pathname;
    if (path === '/v1/locations') return json(200, { items: [location] });
    if (path === '/v1/settings/loyalty') return json(200, rules);
    if (path === '/v1/customers/c-7') return json(200, customer);
    if (path === '/v1/loyalty/c-7') return json(200, { balance, pending: 0, tier: 'member', earned12m: 120, expiring: [] });
    if (path === '/v1/rewards' && url.searchParams.get('customerId') === 'c-7') return json(200, { rewards: [offer(twenty), offer(tea)], balance, tier: 'member' });
    if (path === '/v1/loyalty/c-7/earn') {
      const body = (await req.json()) as { amount: number; sourceId: string };
      balance += Math.floor(body.amount);
      return json(201, { entryId: 'e1', customerId: 'c-7', type: 'earn', sourceId: body.sourceId, points: Math.floor(body.amount), at: '2026-12-06T08:00:00Z' });
    }
    if (path === '/v1/loyalty/c-7/rewards/twenty-off') {
      const body = (await req.json()) as { sourceId: string; locationId?: string };
      takes.push({ body, key: req.headers.get('Idempotency-Key') });
      balance -= 100;
      stock -= 1;
      return json(201, {
        code: 'K7QM2XDR9HFA6TWP',
        printedCode: 'K7QM-2XDR-9HFA-6TWP',
        customerId: 'c-7',
        name: twenty.name,
        kind: 'voucher',
        value: twenty.value,
        source: { kind: 'reward', id: body.sourceId, rewardId: 'twenty-off' },
        locationId: 'loc-1',
        issuedAt: '2026-12-06T01:00:00Z',
        expiresAt: '2027-01-05T01:00:00Z',
        issuedBy: 'test-user',
        status: 'issued',
        version: 1,
      });
    }
    return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
  };
  return { fetch, takes };
}

describe('Rewards at the counter', () => {
  afterEach(() => setLocale('en'));

  it('offers what the points allow, says why not in words, and takes one for its voucher', async () => {
    setLocale('en');
    const api = fakeRewards();
    renderPage(<CounterArea />, { groups: ['agent'], locations: 'loc-1', fetch: api.fetch, path: '/counter?customerId=c-7' });

    expect(await screen.findByText('Not enough points: 120 available, 800 needed.')).toBeTruthy();
    expect(screen.getByText('CN¥20.00 off', { exact: false }).textContent).toBe('CN¥20.00 off · 100 points · 5 left');
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Take Twenty off' })));

    expect(await screen.findByText('K7QM-2XDR-9HFA-6TWP')).toBeTruthy();
    expect(screen.getByText('Voucher issued:', { exact: false }).textContent).toBe('Voucher issued: Twenty off');
    expect(api.takes).toHaveLength(1);
    expect(api.takes[0]!.body).toEqual({ sourceId: expect.stringMatching(/^take:/), locationId: 'loc-1' });
    // The press's sourceId is its Idempotency-Key: a retry of it is the same take.
    expect(api.takes[0]!.key).toBe(api.takes[0]!.body.sourceId);

    // Now 20 points: neither is offered, each says why.
    expect(await screen.findByText('Not enough points: 20 available, 100 needed.')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Take Twenty off' })).toBeNull();
  });

  it('takes the earlier earn\'s message, and its balance, away when a reward is taken', async () => {
    setLocale('en');
    const api = fakeRewards();
    renderPage(<CounterArea />, { groups: ['agent'], locations: 'loc-1', fetch: api.fetch, path: '/counter?customerId=c-7' });

    fireEvent.change(await screen.findByLabelText('Bill number'), { target: { value: 'B 1' } });
    fireEvent.change(await screen.findByLabelText('Amount (CNY)'), { target: { value: '10.00' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Earn points' })));
    expect(await screen.findByText('New balance: 130 points')).toBeTruthy();

    const takeButton = await screen.findByRole('button', { name: 'Take Twenty off' });
    act(() => fireEvent.click(takeButton));
    expect(await screen.findByText('K7QM-2XDR-9HFA-6TWP')).toBeTruthy();
    expect(screen.queryByText('New balance: 130 points')).toBeNull();
  });
});
