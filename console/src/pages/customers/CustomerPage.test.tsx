import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import CustomersArea from '.';

const location = { locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai' };

/** stale: the profile changed since it was read, and a save is refused for it. */
function fakeApi({ stale = false } = {}) {
  let customer = {
    customerId: 'c-1',
    name: 'Li Lei',
    phone: '+8613800138000',
    email: 'li@example.com',
    locale: 'zh-CN',
    locationId: 'loc-1',
    version: 3,
    visits: 2,
    monetary: 300,
    value: { rfm: { r: 5, f: 2, m: 3 }, abc: 'B', tier: 'potential', clv: { averagePurchase: 150, purchasesPerYear: 4, lifetimeYears: 3, value: 1800 }, wordOfMouth: 0, computedAt: '2026-12-06T00:00:00Z' },
  };
  let followups = [
    { followupId: 'f-1', kind: 'message', status: 'scheduled', dueAt: '2026-12-07T02:00:00Z', requestedAt: '2026-12-07T02:00:00Z', recipient: { channel: 'email' } },
    { followupId: 'f-0', kind: 'post-service-survey', status: 'skipped', skipReason: 'opted out', dueAt: '2026-12-01T02:00:00Z', requestedAt: '2026-12-01T02:00:00Z', recipient: {} },
  ];
  const patches: unknown[] = [];
  const fetch = async (req: Request) => {
    const path = new URL(req.url).pathname;
    if (path === '/v1/locations') return json(200, { items: [location] });
    if (path === '/v1/settings/loyalty') return json(200, { currency: 'CNY', tiers: [{ name: 'member', threshold: 0 }, { name: 'silver', threshold: 1000 }] });
    if (path === '/v1/customers/c-1' && req.method === 'PATCH') {
      const body = (await req.json()) as Record<string, unknown>;
      patches.push(body);
      if (stale) {
        return json(409, {
          type: 'https://rapport.dev/problems/conflict',
          title: 'Conflict',
          status: 409,
          detail: 'the profile is at version 4, not 3',
          reason: 'profile-changed',
          facts: { version: 4 },
        });
      }
      customer = { ...customer, ...body, version: customer.version + 1 };
      return json(200, customer);
    }
    if (path === '/v1/customers/c-1') return json(200, customer);
    if (path === '/v1/customers/c-1/consent') {
      const history = new URL(req.url).searchParams.get('history') === 'true';
      return json(200, {
        customerId: 'c-1',
        items: [{ channel: 'email', granted: true, at: '2026-12-01T02:00:00Z', source: 'web-form' }],
        ...(history
          ? {
              history: [
                { channel: 'email', granted: true, at: '2026-12-01T02:00:00Z', source: 'web-form' },
                { channel: 'email', granted: false, at: '2026-11-20T15:30:00Z', source: 'staff-console', by: 'desk@rapport.test' },
              ],
            }
          : {}),
      });
    }
    if (path === '/v1/loyalty/c-1') return json(200, { balance: 120, pending: 0, tier: 'member', earned12m: 120, nextTier: { tier: 'silver', pointsNeeded: 880 }, expiring: [] });
    if (path === '/v1/loyalty/c-1/ledger') return json(200, { items: [], nextCursor: null });
    if (path === '/v1/customers/c-1/timeline') {
      return json(200, { items: [{ at: '2026-12-05T02:00:00Z', type: 'points', id: 'e-1', locationId: 'loc-1', summary: 'Points earned: +120', details: { entryType: 'earn', points: 120, sourceId: 'bill:1' } }], nextCursor: null });
    }
    if (path === '/v1/followups') return json(200, { items: followups, nextCursor: null });
    if (path === '/v1/followups/f-1' && req.method === 'DELETE') {
      followups = followups.map((f) => (f.followupId === 'f-1' ? { ...f, status: 'cancelled' } : f));
      return new Response(null, { status: 204 });
    }
    return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
  };
  return { fetch, patches };
}

describe('a customer’s page', () => {
  afterEach(() => setLocale('en'));

  it('shows profile, value, loyalty and timeline in words, data marked as data', async () => {
    setLocale('en');
    renderPage(<CustomersArea />, { groups: ['agent'], locations: 'loc-1', fetch: fakeApi().fetch, path: '/c-1' });
    const name = await screen.findByText('Li Lei');
    expect(name.closest('[translate="no"]')).toBeTruthy();
    expect(await screen.findByText('Potential')).toBeTruthy();
    expect(screen.getByText('CN¥1,800.00')).toBeTruthy();
    expect(await screen.findByText('880 points to', { exact: false })).toBeTruthy();
    expect(await screen.findByText('Earned: ', { exact: false })).toBeTruthy();
    // Agents do not get merge, export or erase.
    expect(screen.queryByRole('button', { name: /Erase customer/ })).toBeNull();
  });

  it('saves only what was edited, with the version read', async () => {
    setLocale('en');
    const api = fakeApi();
    renderPage(<CustomersArea />, { groups: ['manager'], locations: 'loc-1', fetch: api.fetch, path: '/c-1' });
    const edit = await screen.findByRole('button', { name: /Edit profile/ });
    act(() => fireEvent.click(edit));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Email'), { target: { value: 'lei.li@example.com' } });
    act(() => fireEvent.click(within(dialog).getByRole('button', { name: 'Save' })));
    expect(await screen.findByText('Profile saved')).toBeTruthy();
    expect(api.patches).toEqual([{ version: 3, email: 'lei.li@example.com' }]);
    expect(screen.getByText('lei.li@example.com')).toBeTruthy();
    expect(screen.getByRole('button', { name: /Erase customer/ })).toBeTruthy();
  });

  it('says a save refused because the profile changed meanwhile, in the reader\'s language', async () => {
    setLocale('zh-CN');
    const api = fakeApi({ stale: true });
    renderPage(<CustomersArea />, { groups: ['manager'], locations: 'loc-1', fetch: api.fetch, path: '/c-1' });
    const edit = await screen.findByRole('button', { name: /编辑/ });
    act(() => fireEvent.click(edit));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('邮箱'), { target: { value: 'lei.li@example.com' } });
    act(() => fireEvent.click(within(dialog).getByRole('button', { name: /保\s*存/ })));
    expect(await screen.findByText('此档案已被他人修改并已重新加载，请核对后再次保存。')).toBeTruthy();
    expect(api.patches).toEqual([{ version: 3, email: 'lei.li@example.com' }]);
  });

  it('shows every consent change, newest first, in the home location\'s zone', async () => {
    setLocale('en');
    renderPage(<CustomersArea />, { groups: ['agent'], locations: 'loc-1', fetch: fakeApi().fetch, path: '/c-1' });
    const heading = await screen.findByRole('heading', { name: 'History' });
    const card = heading.closest('.ant-card') as HTMLElement;
    expect(await within(card).findByText('Times at', { exact: false })).toBeTruthy();
    // 15:30 UTC on 20 Nov is 23:30 in Shanghai; the changes newest first.
    const times = within(card).getAllByText(/2026/, { selector: 'time' }).map((e) => e.textContent);
    expect(times).toEqual(['Dec 1, 2026, 10:00', 'Nov 20, 2026, 23:30']);
    expect(within(card).getByText('desk@rapport.test').closest('[translate="no"]')).toBeTruthy();
    expect(within(card).getAllByLabelText('Email: Opted out')).toHaveLength(1);
  });

  it('lists follow-ups with status and reason, and cancels one after confirming', async () => {
    setLocale('en');
    renderPage(<CustomersArea />, { groups: ['agent'], locations: 'loc-1', fetch: fakeApi().fetch, path: '/c-1' });
    expect(await screen.findByText('Skipped')).toBeTruthy();
    expect(screen.getByText('opted out').closest('[translate="no"]')).toBeTruthy();
    act(() => fireEvent.click(screen.getByRole('button', { name: /Cancel the follow-up due/ })));
    const yes = await screen.findByRole('button', { name: 'Cancel it' });
    act(() => fireEvent.click(yes));
    expect(await screen.findByText('Follow-up cancelled')).toBeTruthy();
    expect(await screen.findByText('Cancelled')).toBeTruthy();
  });
});
