import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import { VouchersCard } from './VouchersCard';
import type { Customer } from './model';

const customer = { customerId: 'c-7', name: 'Wang Fang', locationId: 'loc-1', version: 1, visits: 0, monetary: 0 } as Customer;
const location = { locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai' };
const redeemed = {
  code: 'K7QM2XDR9HFA6TWP',
  printedCode: 'K7QM-2XDR-9HFA-6TWP',
  customerId: 'c-7',
  kind: 'voucher',
  value: { percentOff: 10 },
  source: { kind: 'staff', id: 's-1' },
  issuedAt: '2026-11-01T01:00:00Z',
  expiresAt: '2026-12-01T01:00:00Z',
  issuedBy: 'manager-1',
  status: 'redeemed',
  version: 2,
};

/** A customer's vouchers: one redeemed, and whatever is issued by hand. */
function fakeVouchers() {
  const vouchers: unknown[] = [redeemed];
  const issued: unknown[] = [];
  const fetch = async (req: Request) => {
    const path = new URL(req.url).pathname;
    if (path === '/v1/locations') return json(200, { items: [location] });
    if (path === '/v1/customers/c-7/vouchers') return json(200, { vouchers });
    if (path === '/v1/vouchers' && req.method === 'POST') {
      const body = (await req.json()) as Record<string, unknown>;
      issued.push(body);
      const v = { ...redeemed, code: 'M3NP4QRS5TVW6XY7', printedCode: 'M3NP-4QRS-5TVW-6XY7', value: body.value, status: 'issued', version: 1 };
      vouchers.unshift(v);
      return json(201, v);
    }
    return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
  };
  return { fetch, issued };
}

describe('VouchersCard', () => {
  afterEach(() => setLocale('en'));

  it('lists the vouchers, and a manager issues one by hand at their location with the reason', async () => {
    setLocale('en');
    const api = fakeVouchers();
    renderPage(<VouchersCard customer={customer} currency="CNY" />, { groups: ['manager'], locations: 'loc-1', fetch: api.fetch });
    const row = (await screen.findByText('K7QM-2XDR-9HFA-6TWP')).closest('tr')!;
    expect(within(row).getByText('10% off')).toBeTruthy();
    expect(within(row).getByText('Redeemed')).toBeTruthy();

    act(() => fireEvent.click(screen.getByRole('button', { name: /Issue a voucher/ })));
    fireEvent.change(await screen.findByLabelText('Amount off (CNY)'), { target: { value: '15' } });
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'Late room' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Issue' })));
    expect((await screen.findByText('issued.', { exact: false })).closest('.ant-alert')!.textContent).toContain('Voucher M3NP-4QRS-5TVW-6XY7 issued.');
    expect(api.issued[0]).toEqual({
      customerId: 'c-7',
      kind: 'voucher',
      value: { amountOff: 15, currency: 'CNY' },
      locationIds: ['loc-1'],
      validDays: 30,
      reason: 'Late room',
      locationId: 'loc-1',
    });
    expect(await screen.findByText('CN¥15.00 off')).toBeTruthy();
  });

  it('does not offer agents to issue', async () => {
    setLocale('en');
    renderPage(<VouchersCard customer={customer} currency="CNY" />, { groups: ['agent'], locations: 'loc-1', fetch: fakeVouchers().fetch });
    expect(await screen.findByText('K7QM-2XDR-9HFA-6TWP')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Issue a voucher/ })).toBeNull();
  });
});
