import { act, fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { setLocale } from '../i18n';
import { json, renderPage } from '../test/render';
import { LocationSwitcher, useLocationScope } from './LocationSwitcher';

const items = [
  { locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai' },
  { locationId: 'loc-2', name: 'Garden Hotel', timeZone: 'Europe/London' },
];

function Scope() {
  const s = useLocationScope();
  return <output>{`${s.locationId ?? 'all'} ${s.zone}`}</output>;
}

describe('LocationSwitcher', () => {
  it('offers all my locations and each one, and remembers the pick', async () => {
    setLocale('en');
    renderPage(
      <>
        <LocationSwitcher />
        <Scope />
      </>,
      { groups: ['admin'], locations: '*', fetch: () => json(200, { items }) },
    );
    const button = await screen.findByRole('button', { name: 'Location: All my locations' });
    act(() => fireEvent.click(button));
    act(() => fireEvent.click(screen.getByText('Garden Hotel')));
    expect(screen.getByRole('status').textContent).toBe('loc-2 Europe/London');
    expect(localStorage.getItem('rapport.location.test-user')).toBe('loc-2');
  });

  it('shows only the token locations, picking the only one', async () => {
    setLocale('en');
    renderPage(
      <>
        <LocationSwitcher />
        <Scope />
      </>,
      { groups: ['agent'], locations: 'loc-1', fetch: () => json(200, { items }) },
    );
    expect(await screen.findByRole('button', { name: 'Location: Harbour Hotel' })).toBeTruthy();
    expect(screen.getByRole('status').textContent).toBe('loc-1 Asia/Shanghai');
  });

  it('says when the person has no location', async () => {
    setLocale('zh-CN');
    renderPage(<LocationSwitcher />, { groups: ['agent'], locations: '', fetch: () => json(200, { items }) });
    expect(await screen.findByRole('button', { name: '门店：没有门店' })).toBeTruthy();
    setLocale('en');
  });

  it('says when the list could not be loaded', async () => {
    setLocale('en');
    renderPage(<LocationSwitcher />, { fetch: () => json(503, { type: 'about:blank', title: 'Unavailable', status: 503 }) });
    expect(await screen.findByRole('button', { name: 'Location: Locations unavailable' })).toBeTruthy();
  });
});
