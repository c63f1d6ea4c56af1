import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import ComplaintsArea from '.';
import type { Complaint } from './model';

const locations = { items: [{ locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai', version: 1 }] };
const settings = { categories: ['billing', 'noise'], rootCauses: ['process', 'other'], version: 0 };

function complaint(over: Partial<Complaint> = {}): Complaint {
  return {
    complaintId: 'c-1',
    reference: 'HB01-20261206-0001',
    locationId: 'loc-1',
    channel: 'phone',
    category: 'billing',
    severity: 'normal',
    status: 'received',
    version: 1,
    createdAt: '2026-12-06T01:00:00Z',
    acknowledgeBy: '2099-12-06T03:00:00Z',
    resolveBy: '2099-12-08T01:00:00Z',
    breached: false,
    description: 'Charged twice for the room',
    contact: { name: 'Li Lei', phone: '+8613800138000' },
    timeline: [{ seq: 1, type: 'received', at: '2026-12-06T01:00:00Z', actor: 'dev-agent', internal: false, to: 'received' }],
    ...over,
  };
}

const area = (
  <Routes>
    <Route path="/complaints/*" element={<ComplaintsArea />} />
  </Routes>
);

describe('complaints pages', () => {
  afterEach(() => setLocale('en'));

  it('asks the queue for every open status when the address says open, and sorts by SLA', async () => {
    setLocale('en');
    const { requests } = renderPage(area, {
      groups: ['agent'],
      locations: 'loc-1',
      path: '/complaints?status=open&breached=true&locationId=loc-1',
      fetch: (req) => {
        const url = new URL(req.url);
        if (url.pathname === '/v1/locations') return json(200, locations);
        const status = url.searchParams.get('status');
        if (status === 'received') return json(200, { items: [complaint({ complaintId: 'late', reference: 'REF-LATE', acknowledgeBy: '2099-12-09T00:00:00Z', breached: true })], nextCursor: null });
        if (status === 'acknowledged') return json(200, { items: [complaint({ complaintId: 'soon', reference: 'REF-SOON', status: 'acknowledged', resolveBy: '2099-12-07T00:00:00Z', breached: true })], nextCursor: null });
        return json(200, { items: [], nextCursor: null });
      },
    });
    expect(await screen.findByText('REF-LATE')).toBeTruthy();
    const asked = requests.filter((r) => new URL(r.url).pathname === '/v1/complaints').map((r) => new URL(r.url).searchParams);
    expect(asked.map((q) => q.get('status')).sort()).toEqual(['acknowledged', 'in_progress', 'pending_customer', 'received']);
    expect(asked.every((q) => q.get('breached') === 'true' && q.get('locationId') === 'loc-1')).toBe(true);
    const refs = screen.getAllByRole('link', { name: /Open case/ }).map((a) => a.textContent);
    expect(refs).toEqual(['REF-SOON', 'REF-LATE']);
    expect(screen.getByText('Cases: 2')).toBeTruthy();
  });

  it('offers an agent the actions of the status, and says a stale version as a conflict, then reloads', async () => {
    setLocale('en');
    let version = 1;
    const { requests } = renderPage(area, {
      groups: ['agent'],
      locations: 'loc-1',
      path: '/complaints/c-1',
      fetch: (req) => {
        const url = new URL(req.url);
        if (url.pathname === '/v1/locations') return json(200, locations);
        if (url.pathname === '/v1/settings/complaints') return json(200, settings);
        if (req.method === 'POST') {
          version = 2; // someone else acted meanwhile
          return json(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'the case is at version 2, not 1: reload it' });
        }
        return json(200, complaint({ version, status: version === 1 ? 'received' : 'acknowledged' }));
      },
    });
    const group = await screen.findByRole('group', { name: 'Actions' });
    const names = within(group).getAllByRole('button').map((b) => b.textContent);
    expect(names).toEqual(['Acknowledge', 'Start work', 'Assign', 'Add a note', 'Change severity or category', 'Resolve']);
    expect(screen.getByText('Li Lei')).toBeTruthy();
    expect(screen.getByText('No customer profile is linked to this case.')).toBeTruthy();

    act(() => fireEvent.click(within(group).getByRole('button', { name: 'Acknowledge' })));
    expect(await screen.findByText(/Someone else changed this case meanwhile/)).toBeTruthy();
    const post = requests.find((r) => r.method === 'POST')!;
    expect(await post.clone().json()).toEqual({ action: 'acknowledge', version: 1 });
    expect(post.headers.get('Idempotency-Key')).toBeTruthy();
    // Read again: the case is acknowledged now, and acknowledging is no longer offered.
    await waitFor(() => expect(screen.getByTestId('case-status').getAttribute('data-status')).toBe('acknowledged'));
    expect(within(screen.getByRole('group', { name: 'Actions' })).queryByRole('button', { name: 'Acknowledge' })).toBeNull();
  });

  it('keeps an action Idempotency-Key for its retry after an outage, and gives another action its own', async () => {
    setLocale('en');
    const { requests } = renderPage(area, {
      groups: ['agent'],
      locations: 'loc-1',
      path: '/complaints/c-1',
      fetch: (req) => {
        const url = new URL(req.url);
        if (url.pathname === '/v1/locations') return json(200, locations);
        if (url.pathname === '/v1/settings/complaints') return json(200, settings);
        if (req.method === 'POST') return json(503, { type: 'about:blank', title: 'Unavailable', status: 503 });
        return json(200, complaint());
      },
    });
    const group = await screen.findByRole('group', { name: 'Actions' });
    act(() => fireEvent.click(within(group).getByRole('button', { name: 'Acknowledge' })));
    expect(await screen.findByText('Rapport could not answer')).toBeTruthy();
    // The error is told before the mutation settles: until then the button is still
    // loading (its name then starts with the spinner's "loading").
    await waitFor(() => expect(within(group).getByRole('button', { name: 'Acknowledge' }).hasAttribute('disabled')).toBe(false));
    act(() => fireEvent.click(within(group).getByRole('button', { name: 'Acknowledge' })));
    await waitFor(() => expect(requests.filter((r) => r.method === 'POST')).toHaveLength(2));
    await waitFor(() => expect(within(group).getByRole('button', { name: 'Start work' }).hasAttribute('disabled')).toBe(false));
    act(() => fireEvent.click(within(group).getByRole('button', { name: 'Start work' })));
    await waitFor(() => expect(requests.filter((r) => r.method === 'POST')).toHaveLength(3));
    const keys = requests.filter((r) => r.method === 'POST').map((r) => r.headers.get('Idempotency-Key'));
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('offers a manager close and reopen on a resolved case, and shows the linked customer', async () => {
    setLocale('zh-CN');
    renderPage(area, {
      groups: ['manager'],
      locations: 'loc-1',
      path: '/complaints/c-1',
      fetch: (req) => {
        const url = new URL(req.url);
        if (url.pathname === '/v1/locations') return json(200, locations);
        if (url.pathname === '/v1/settings/complaints') return json(200, settings);
        if (url.pathname === '/v1/customers/cust-1') return json(200, { customerId: 'cust-1', name: '韩梅梅', version: 1, visits: 4, monetary: 0 });
        return json(200, complaint({ status: 'resolved', customerId: 'cust-1', resolution: '已退款', rootCause: 'process', compensationPoints: 200 }));
      },
    });
    const group = await screen.findByRole('group', { name: '操作' });
    // antd spaces out a two-character Chinese label (关 闭).
    expect(within(group).getAllByRole('button').map((b) => b.textContent?.replace(/\s/g, ''))).toEqual(['添加备注', '关闭', '重新打开']);
    expect(await screen.findByText('韩梅梅')).toBeTruthy();
    expect(screen.getByRole('link', { name: '打开客户页面' }).getAttribute('href')).toBe('/customers/cust-1');
    expect(screen.getByText('流程')).toBeTruthy();
  });

  it('says another location case is not found, in words', async () => {
    setLocale('en');
    renderPage(area, {
      groups: ['agent'],
      locations: 'loc-1',
      path: '/complaints/c-elsewhere',
      fetch: (req) => {
        const url = new URL(req.url);
        if (url.pathname === '/v1/locations') return json(200, locations);
        if (url.pathname === '/v1/settings/complaints') return json(200, settings);
        return json(404, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'no such complaint' });
      },
    });
    expect((await screen.findByRole('alert')).textContent).toContain('It does not exist, or it belongs to a location you cannot see.');
  });

  it('enters a complaint with one Idempotency-Key kept for a retry, and names a refused field', async () => {
    setLocale('en');
    let attempt = 0;
    const { requests } = renderPage(area, {
      groups: ['agent'],
      locations: 'loc-1',
      path: '/complaints/new',
      fetch: (req) => {
        const url = new URL(req.url);
        if (url.pathname === '/v1/locations') return json(200, locations);
        if (url.pathname === '/v1/settings/complaints') return json(200, settings);
        if (url.pathname === '/v1/complaints/intake') {
          attempt++;
          if (attempt === 1) return json(503, { type: 'about:blank', title: 'Unavailable', status: 503 });
          return json(400, { type: 'about:blank', title: 'Bad Request', status: 400, errors: [{ field: 'contact.phone', message: 'must be a phone number' }] });
        }
        return json(404, { title: 'Not Found', status: 404 });
      },
    });
    fireEvent.change(await screen.findByLabelText('Contact name'), { target: { value: ' Li Lei ' } });
    fireEvent.change(screen.getByLabelText('Contact phone'), { target: { value: '12' } });
    fireEvent.change(screen.getByLabelText('What the customer said'), { target: { value: 'Cold room' } });
    const submit = screen.getByRole('button', { name: 'Create the case' });
    act(() => fireEvent.click(submit));
    expect(await screen.findByText('Rapport could not answer')).toBeTruthy();
    act(() => fireEvent.click(submit));
    expect(await screen.findByText('must be a phone number')).toBeTruthy();
    const posts = requests.filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts[0]!.headers.get('Idempotency-Key')).toBe(posts[1]!.headers.get('Idempotency-Key'));
    expect(await posts[1]!.clone().json()).toEqual({
      channel: 'phone',
      locationId: 'loc-1',
      category: 'billing',
      severity: 'normal',
      description: 'Cold room',
      contact: { name: 'Li Lei', phone: '12' },
    });
  });
});
