import { act, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import FollowupsArea from '.';

const locations = [
  { locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai' },
  { locationId: 'loc-2', name: 'Garden Hotel', timeZone: 'Europe/London' },
];

const fu = (id: string, locationId: string, dueAt: string, extra: Record<string, unknown> = {}) => ({
  followupId: id,
  kind: 'complaint-callback',
  status: 'scheduled',
  dueAt,
  requestedAt: dueAt,
  recipient: { type: 'customer', id: `c-${id}`, channel: 'email' },
  locationId,
  ...extra,
});

function fakeApi() {
  let byLocation: Record<string, ReturnType<typeof fu>[]> = {
    'loc-1': [
      fu('a', 'loc-1', '2026-12-09T02:00:00Z'),
      fu('b', 'loc-1', '2026-12-05T02:00:00Z', { status: 'failed', skipReason: 'smtp: mailbox full' }),
    ],
    'loc-2': [
      fu('c', 'loc-2', '2026-12-07T10:00:00Z', { kind: 'sla-warning', recipient: { type: 'staff', id: 'mgr', channel: 'email' } }),
    ],
  };
  const fetch = async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === '/v1/locations') return json(200, { items: locations });
    if (url.pathname === '/v1/followups') {
      const loc = url.searchParams.get('locationId') ?? '';
      if (!(loc in byLocation)) return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
      return json(200, { items: byLocation[loc], nextCursor: null });
    }
    if (url.pathname === '/v1/followups/a' && req.method === 'DELETE') {
      byLocation = { ...byLocation, 'loc-1': byLocation['loc-1']!.map((f) => (f.followupId === 'a' ? { ...f, status: 'cancelled' } : f)) };
      return new Response(null, { status: 204 });
    }
    return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
  };
  return { fetch };
}

const rows = () => screen.getAllByRole('row').slice(1);

describe('follow-ups by location', () => {
  afterEach(() => setLocale('en'));

  it('merges all my locations by due time, with status, reason and the customer linked', async () => {
    setLocale('en');
    const { requests } = renderPage(<FollowupsArea />, { groups: ['admin'], locations: '*', fetch: fakeApi().fetch, path: '/followups' });
    expect(await screen.findByText('smtp: mailbox full')).toBeTruthy();
    expect(rows().map((r) => within(r).getAllByRole('cell')[3]!.textContent)).toEqual(['c-a', 'Staff', 'c-b']);
    expect(screen.getByText('smtp: mailbox full').closest('[translate="no"]')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'c-a' }).getAttribute('href')).toBe('/customers/c-a');
    expect(screen.getByText('Failed')).toBeTruthy();
    // One list per location.
    const asked = requests.map((r) => new URL(r.url)).filter((u) => u.pathname === '/v1/followups');
    expect(asked.map((u) => u.searchParams.get('locationId')).sort()).toEqual(['loc-1', 'loc-2']);
  });

  it('takes Today\'s link: the location and the filters from the address, days at the location', async () => {
    setLocale('en');
    const { requests } = renderPage(<FollowupsArea />, {
      groups: ['manager'],
      locations: 'loc-1',
      fetch: fakeApi().fetch,
      path: '/followups?locationId=loc-1&kind=complaint-callback&status=scheduled&from=2026-12-07&to=2026-12-09',
    });
    expect(await screen.findByRole('link', { name: 'c-a' })).toBeTruthy();
    // The failed one is loaded but filtered out here.
    expect(screen.queryByText('smtp: mailbox full')).toBeNull();
    expect(screen.getByText('Showing 1 of 2 loaded')).toBeTruthy();
    const u = requests.map((r) => new URL(r.url)).find((x) => x.pathname === '/v1/followups')!;
    expect(Object.fromEntries(u.searchParams)).toEqual({ locationId: 'loc-1', from: '2026-12-06T16:00:00.000Z', to: '2026-12-09T15:59:59.999Z' });

    act(() => fireEvent.click(screen.getByRole('button', { name: 'Clear filters' })));
    expect(await screen.findByText('smtp: mailbox full')).toBeTruthy();
  });

  it('asks for the days picked in the form, both kept', async () => {
    setLocale('en');
    const { requests } = renderPage(<FollowupsArea />, { groups: ['agent'], locations: 'loc-1', fetch: fakeApi().fetch, path: '/followups?status=failed' });
    expect(await screen.findByText('smtp: mailbox full')).toBeTruthy();
    act(() => {
      fireEvent.change(screen.getByLabelText('Due from (day at the location)'), { target: { value: '2026-12-01' } });
      fireEvent.change(screen.getByLabelText('Due until (day at the location)'), { target: { value: '2026-12-05' } });
    });
    await screen.findByText('smtp: mailbox full');
    const last = requests.map((r) => new URL(r.url)).filter((u) => u.pathname === '/v1/followups').at(-1)!;
    expect(Object.fromEntries(last.searchParams)).toEqual({ locationId: 'loc-1', from: '2026-11-30T16:00:00.000Z', to: '2026-12-05T15:59:59.999Z' });
    expect((screen.getByLabelText('Status') as HTMLInputElement).closest('.ant-select')?.textContent).toContain('Failed');
  });

  it('says a day range that ends before it starts is wrong, and asks nothing', async () => {
    setLocale('en');
    const { requests } = renderPage(<FollowupsArea />, { groups: ['agent'], locations: 'loc-1', fetch: fakeApi().fetch, path: '/followups?from=2026-12-09&to=2026-12-07' });
    expect(await screen.findByText('The last day is before the first.')).toBeTruthy();
    expect(requests.some((r) => new URL(r.url).pathname === '/v1/followups')).toBe(false);
  });

  it('cancels from the location list after confirming', async () => {
    setLocale('en');
    renderPage(<FollowupsArea />, { groups: ['agent'], locations: 'loc-1', fetch: fakeApi().fetch, path: '/followups' });
    const cancel = await screen.findByRole('button', { name: /Cancel the follow-up due/ });
    act(() => fireEvent.click(cancel));
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Cancel it' })));
    expect(await screen.findByText('Follow-up cancelled')).toBeTruthy();
    expect(await screen.findByText('Cancelled')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Cancel the follow-up due/ })).toBeNull();
  });

  it('says in words that another location is not there', async () => {
    setLocale('en');
    renderPage(<FollowupsArea />, { groups: ['manager'], locations: 'loc-1', fetch: fakeApi().fetch, path: '/followups?locationId=loc-9' });
    expect(await screen.findByRole('heading', { name: /not found/i })).toBeTruthy();
  });

  it('keeps the customer view: the picker, then the customer\'s follow-ups', async () => {
    setLocale('en');
    renderPage(<FollowupsArea />, { groups: ['agent'], locations: 'loc-1', fetch: fakeApi().fetch, path: '/followups?view=customer' });
    expect(await screen.findByLabelText('Find a customer by phone, email, name or id')).toBeTruthy();
    expect(screen.queryByText('Clear filters')).toBeNull();
  });
});
