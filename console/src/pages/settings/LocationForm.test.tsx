import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import { LocationEdit } from './LocationForm';

const loc = (version: number, mon = ['09:00-18:00']) => ({
  locationId: 'loc-9',
  name: 'Harbour Hotel',
  timeZone: 'Asia/Shanghai',
  weeklyHours: { mon },
  quietHours: '21:00-09:00',
  branding: {},
  postServiceSurvey: { surveyId: 'demo-stay', delayMinutes: 60, expiresInHours: 168 },
  version,
});

const page = (
  <Routes>
    <Route path="/settings/locations/:locationId" element={<LocationEdit />} />
  </Routes>
);

// The form is long (seven days of shifts, pickers): jsdom renders it slowly.
describe('Settings → a location', () => {
  afterEach(() => setLocale('en'));

  it('adds a split shift and saves it over the version read', async () => {
    setLocale('en');
    const { requests } = renderPage(page, {
      path: '/settings/locations/loc-9',
      fetch: async (req) => {
        if (req.method === 'PUT') return json(200, { ...(await req.clone().json()), version: 2 });
        return json(200, req.url.endsWith('/v1/locations') ? { items: [loc(1)] } : loc(1));
      },
    });
    const closes = await screen.findByLabelText('Monday, shift 1: closes');
    fireEvent.change(closes, { target: { value: '12:00' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Add a shift on Monday' })));
    fireEvent.change(await screen.findByLabelText('Monday, shift 2: opens'), { target: { value: '13:00' } });
    fireEvent.change(screen.getByLabelText('Monday, shift 2: closes'), { target: { value: '18:00' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    await waitFor(() => expect(requests.some((r) => r.method === 'PUT')).toBe(true));
    const put = requests.find((r) => r.method === 'PUT')!;
    const body = await put.json();
    expect(body.weeklyHours).toEqual({ mon: ['09:00-12:00', '13:00-18:00'] });
    expect(body.version).toBe(1);
    expect(body.postServiceSurvey).toEqual({ surveyId: 'demo-stay', delayMinutes: 60, expiresInHours: 168 });
    expect(await screen.findByText('Editing version 2')).toBeTruthy();
  });

  it('refuses overlapping shifts before sending', async () => {
    setLocale('en');
    const { requests } = renderPage(page, {
      path: '/settings/locations/loc-9',
      fetch: (req) => json(200, req.url.endsWith('/v1/locations') ? { items: [] } : loc(1, ['09:00-13:00', '12:00-18:00'])),
    });
    await screen.findByText('Editing version 1');
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    expect(await screen.findByText('Shifts must not overlap')).toBeTruthy();
    expect(requests.some((r) => r.method === 'PUT')).toBe(false);
  });

  it('says a version conflict in words and reloads the current version', async () => {
    setLocale('en');
    let current = 1;
    renderPage(page, {
      path: '/settings/locations/loc-9',
      fetch: (req) => {
        if (req.method === 'PUT') {
          current = 3;
          return json(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'the location is not at that version' });
        }
        return json(200, req.url.endsWith('/v1/locations') ? { items: [] } : loc(current, current === 3 ? ['08:00-20:00'] : ['09:00-18:00']));
      },
    });
    await screen.findByText('Editing version 1');
    fireEvent.change(screen.getByLabelText('Monday, shift 1: closes'), { target: { value: '12:00' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    expect(await screen.findByText('Someone else saved this meanwhile')).toBeTruthy();
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Reload the current version' })));
    expect(await screen.findByText('Editing version 3')).toBeTruthy();
    expect(screen.queryByText('Someone else saved this meanwhile')).toBeNull();
    // What was typed over version 1 is gone: the form shows version 3.
    await waitFor(() => expect((screen.getByLabelText('Monday, shift 1: closes') as HTMLInputElement).value).toBe('20:00'));
    expect((screen.getByLabelText('Monday, shift 1: opens') as HTMLInputElement).value).toBe('08:00');
  });

  it('shows the API’s field errors on their fields, in Chinese too', async () => {
    setLocale('zh-CN');
    renderPage(page, {
      path: '/settings/locations/loc-9',
      fetch: (req) =>
        req.method === 'PUT'
          ? json(400, { type: 'about:blank', title: 'Bad Request', status: 400, errors: [{ field: 'branding.logoUrl', message: 'must be an https URL' }] })
          : json(200, req.url.endsWith('/v1/locations') ? { items: [] } : loc(1)),
    });
    await screen.findByText('正在编辑第 1 版');
    act(() => fireEvent.click(screen.getByRole('button', { name: /保\s*存/ })));
    expect(await screen.findByText('must be an https URL')).toBeTruthy();
    expect(screen.getByText('部分字段未被接受，已在下方标出。')).toBeTruthy();
    const field = screen.getByText('must be an https URL').closest('.ant-form-item')!;
    expect(field.textContent).toContain('标志地址');
  });
});
