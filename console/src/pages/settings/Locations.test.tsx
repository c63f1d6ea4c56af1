import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import { Locations } from './Locations';

const items = [
  { locationId: 'sh-01', name: 'Shanghai Jing’an', timeZone: 'Asia/Shanghai', version: 3, updatedAt: '2026-12-06T07:42:00Z' },
  { locationId: 'ny-01', name: 'New York', timeZone: 'America/New_York', version: 1 },
];

describe('Settings → Locations', () => {
  afterEach(() => setLocale('en'));

  it('lists the locations with their zones, times in each row zone', async () => {
    setLocale('en');
    const { requests } = renderPage(<Locations />, { fetch: () => json(200, { items }) });
    expect(await screen.findByText('Shanghai Jing’an')).toBeTruthy();
    expect(screen.getByText('America/New_York')).toBeTruthy();
    expect(screen.getByText('Dec 6, 2026, 15:42')).toBeTruthy();
    expect(screen.getByText('Locations: 2')).toBeTruthy();
    expect(requests.every((r) => r.headers.get('Authorization') === 'Bearer test-id-token')).toBe(true);
  });

  it('speaks Chinese', async () => {
    setLocale('zh-CN');
    renderPage(<Locations />, { fetch: () => json(200, { items }) });
    expect(await screen.findByText('2026年12月6日 15:42')).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: '时区' })).toBeTruthy();
  });

  it('says a refusal in words, never a blank page', async () => {
    setLocale('en');
    renderPage(<Locations />, { fetch: () => json(403, { type: 'about:blank', title: 'Forbidden', status: 403 }) });
    expect((await screen.findByRole('alert')).textContent).toContain('Your role may not do this');
  });

  it('offers a fresh sign-in after a 401', async () => {
    setLocale('en');
    const { auth } = renderPage(<Locations />, { fetch: () => json(401, { message: 'Unauthorized' }) });
    const button = await screen.findByRole('button', { name: 'Sign in again' });
    act(() => fireEvent.click(button));
    expect(auth.signIn).toHaveBeenCalled();
  });

  it('offers to try again after an outage, and shows the answer then', async () => {
    setLocale('en');
    let down = true;
    renderPage(<Locations />, {
      fetch: () => (down ? json(503, { type: 'about:blank', title: 'Unavailable', status: 503, detail: 'customers table' }, { 'Retry-After': '5' }) : json(200, { items })),
    });
    expect(await screen.findByText('Rapport could not answer')).toBeTruthy();
    expect(screen.getByText('Details: customers table')).toBeTruthy();
    down = false;
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Try again' })));
    expect(await screen.findByText('New York')).toBeTruthy();
  });
});
