import { act, fireEvent, screen } from '@testing-library/react';
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

const location = { locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai' };

function voucher() {
  return {
    code: 'K7QM2XDR9HFA6TWP',
    printedCode: 'K7QM-2XDR-9HFA-6TWP',
    customerId: 'c-7',
    name: { 'zh-CN': '减二十元', en: 'Twenty off' },
    kind: 'voucher',
    value: { amountOff: 20, currency: 'CNY' },
    source: { kind: 'reward', id: 'take:1', rewardId: 'twenty-off' },
    locationIds: ['loc-1'],
    locationId: 'loc-1',
    issuedAt: '2026-12-06T01:00:00Z',
    expiresAt: '2027-01-05T01:00:00Z',
    issuedBy: 'agent-1',
    status: 'issued' as string,
    version: 1,
    redemption: undefined as undefined | { at: string; by: string; sourceId: string; locationId: string },
  };
}

/** The vouchers API over one voucher: check, and redeem once (the same bill again replayed). */
function fakeVouchers() {
  const v = voucher();
  const bodies: unknown[] = [];
  const fetch = async (req: Request) => {
    const path = new URL(req.url).pathname;
    if (path === '/v1/locations') return json(200, { items: [location] });
    if (path === '/v1/vouchers/K7QM2XDR9HFA6TWP') return json(200, v);
    if (path === '/v1/vouchers/K7QM2XDR9HFA6TWP/redeem') {
      const body = (await req.json()) as { sourceId: string; locationId: string };
      bodies.push(body);
      if (v.status === 'issued') {
        v.status = 'redeemed';
        v.version++;
        v.redemption = { at: '2026-12-06T08:00:00Z', by: 'test-user', sourceId: body.sourceId, locationId: body.locationId };
        return json(201, v);
      }
      if (v.redemption?.sourceId === body.sourceId) return json(201, v, { 'Idempotent-Replayed': 'true' });
      return json(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'this voucher was redeemed on 2026-12-06T08:00:00Z at loc-1',
        reason: 'voucher-redeemed', facts: { redeemedAt: '2026-12-06T08:00:00Z', locationId: 'loc-1' } });
    }
    return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
  };
  return { fetch, bodies };
}

describe('Vouchers', () => {
  afterEach(() => setLocale('en'));

  it('checks a code as typed, redeems it for a bill, and says a second bill is refused in words', async () => {
    setLocale('en');
    const api = fakeVouchers();
    renderPage(area, { groups: ['agent'], locations: 'loc-1', fetch: api.fetch, path: '/vouchers' });

    fireEvent.change(await screen.findByLabelText('Voucher code'), { target: { value: 'k7qm 2xdr 9hfa 6twp' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Check' })));
    expect(await screen.findByRole('heading', { name: 'Voucher K7QM-2XDR-9HFA-6TWP' })).toBeTruthy();
    expect(screen.getByText('CN¥20.00 off')).toBeTruthy();
    expect(screen.getByText('Valid')).toBeTruthy();
    expect(screen.getByText('Harbour Hotel', { selector: 'div.ant-typography > span' }).parentElement?.textContent).toBe('At Harbour Hotel');

    fireEvent.change(screen.getByLabelText('Bill number'), { target: { value: 'B 2048' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Redeem' })));
    expect((await screen.findByText('Redeemed for bill', { exact: false })).textContent).toBe('Redeemed for bill B-2048.');
    expect(api.bodies[0]).toEqual({ sourceId: 'bill:B-2048', locationId: 'loc-1' });
    expect(await screen.findByText('Redeemed', { selector: '.ant-tag' })).toBeTruthy();

    // The same bill again: nothing changes, and the page says so.
    fireEvent.change(screen.getByLabelText('Bill number'), { target: { value: 'B-2048' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Redeem' })));
    expect(await screen.findByText('Already redeemed for this bill: nothing changed.')).toBeTruthy();

    // Another bill: refused, in words, naming where.
    fireEvent.change(screen.getByLabelText('Bill number'), { target: { value: 'B-4096' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Redeem' })));
    const refused = await screen.findByText('Already redeemed on', { exact: false });
    expect(refused.textContent).toMatch(/^Already redeemed on .+ at Harbour Hotel\.$/);

    // Agents redeem; reversing and cancelling are for managers, and so is the report.
    expect(screen.queryByRole('button', { name: /Reverse/ })).toBeNull();
    expect(screen.queryByRole('tab', { name: 'Report' })).toBeNull();
  });

  it('offers managers the reverse of a redemption and the report', async () => {
    setLocale('en');
    const api = fakeVouchers();
    renderPage(area, { groups: ['manager'], locations: 'loc-1', fetch: api.fetch, path: '/vouchers?code=K7QM2XDR9HFA6TWP' });
    expect(await screen.findByRole('button', { name: /Cancel the voucher/ })).toBeTruthy();
    expect(screen.getByRole('tab', { name: 'Report' })).toBeTruthy();
  });

  it('speaks Chinese, the code left as it is', async () => {
    setLocale('zh-CN');
    renderPage(area, { groups: ['agent'], locations: 'loc-1', fetch: fakeVouchers().fetch, path: '/vouchers?code=K7QM2XDR9HFA6TWP' });
    const heading = await screen.findByRole('heading', { name: '优惠券 K7QM-2XDR-9HFA-6TWP' });
    expect(heading.querySelector('[translate="no"]')?.textContent).toBe('K7QM-2XDR-9HFA-6TWP');
    expect(screen.getByText('可用')).toBeTruthy();
  });
});
