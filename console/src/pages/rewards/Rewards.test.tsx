import { act, fireEvent, screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import RewardsArea from '.';

const area = (
  <Routes>
    <Route path="/rewards/*" element={<RewardsArea />} />
  </Routes>
);

const locations = { items: [{ locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai' }] };
const rules = { currency: 'CNY', tiers: [{ name: 'member', threshold: 0 }, { name: 'gold', threshold: 5000 }] };
const tea = {
  rewardId: 'tea',
  name: { 'zh-CN': '双人下午茶', en: 'Tea for two' },
  pointsCost: 800,
  kind: 'gift',
  value: {},
  stock: 12,
  validDays: 60,
  locations: ['loc-1'],
  tiers: ['gold'],
  active: true,
  version: 3,
  updatedAt: '2026-12-01T00:00:00Z',
};

/** The catalogue over one reward: a PUT at an old version is a 409, a bad currency a 400 naming it. */
function fakeCatalogue() {
  let current = { ...tea };
  const sent: unknown[] = [];
  const fetch = async (req: Request) => {
    const path = new URL(req.url).pathname;
    if (path === '/v1/locations') return json(200, locations);
    if (path === '/v1/settings/loyalty') return json(200, rules);
    if (path === '/v1/rewards' && req.method === 'GET') return json(200, { rewards: [current] });
    if (path === '/v1/rewards' && req.method === 'POST') {
      sent.push(await req.json());
      return json(400, {
        type: 'about:blank',
        title: 'Bad Request',
        status: 400,
        detail: 'the reward is not valid',
        errors: [{ field: 'value.currency', message: 'must be an ISO 4217 code such as CNY' }],
      });
    }
    if (path === '/v1/rewards/tea' && req.method === 'PUT') {
      const body = (await req.json()) as { version: number };
      sent.push(body);
      // Someone else saved version 4 meanwhile.
      current = { ...tea, version: 4, pointsCost: 900 };
      return json(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'the reward was changed by someone else meanwhile: reload it' });
    }
    return json(404, { type: 'about:blank', title: 'Not Found', status: 404 });
  };
  return { fetch, sent };
}

describe('Rewards catalogue', () => {
  afterEach(() => setLocale('en'));

  it('lists each reward with its cost, value, stock, locations, tiers and state', async () => {
    setLocale('en');
    renderPage(area, { groups: ['admin'], fetch: fakeCatalogue().fetch, path: '/rewards' });
    const row = (await screen.findByText('Tea for two')).closest('tr')!;
    const cells = within(row).getAllByRole('cell').map((c) => c.textContent);
    expect(cells.slice(0, 10)).toEqual(['Tea for two', 'tea', '800', 'Gift', '12', '60 days', 'Harbour Hotel', 'gold', 'Offered', '3']);
  });

  it('puts a refused field on the field', async () => {
    setLocale('en');
    const api = fakeCatalogue();
    renderPage(area, { groups: ['admin'], fetch: api.fetch, path: '/rewards/new' });
    fireEvent.change(await screen.findByLabelText('Name in Chinese'), { target: { value: '减十元' } });
    fireEvent.change(screen.getByLabelText('Name in English'), { target: { value: 'Ten off' } });
    expect((screen.getByLabelText('Reward id') as HTMLInputElement).value).toBe('ten-off');
    fireEvent.change(screen.getByLabelText('Points it costs'), { target: { value: '100' } });
    fireEvent.change(screen.getByLabelText('Amount off'), { target: { value: '10' } });
    fireEvent.change(screen.getByLabelText('Currency'), { target: { value: 'XYZ' } });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Create the reward' })));
    expect(await screen.findByText('must be an ISO 4217 code such as CNY')).toBeTruthy();
    expect(api.sent[0]).toMatchObject({ rewardId: 'ten-off', pointsCost: 100, kind: 'voucher', value: { amountOff: 10, currency: 'XYZ' }, active: true });
    expect(screen.getByText('must be an ISO 4217 code such as CNY').closest('.ant-form-item')!.querySelector('label')!.textContent).toBe('Currency');
  });

  it('saves at the version read, and says a stale save in words with a reload', async () => {
    setLocale('en');
    const api = fakeCatalogue();
    renderPage(area, { groups: ['admin'], fetch: api.fetch, path: '/rewards/tea' });
    expect(await screen.findByText('Editing version 3')).toBeTruthy();
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Save' })));
    expect(await screen.findByText('Someone else saved this meanwhile')).toBeTruthy();
    expect(api.sent[0]).toMatchObject({ rewardId: 'tea', version: 3, stock: 12, tiers: ['gold'], locations: ['loc-1'], value: {} });
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Reload the current version' })));
    expect(await screen.findByText('Editing version 4')).toBeTruthy();
    expect((screen.getByLabelText('Points it costs') as HTMLInputElement).value).toBe('900');
  });
});
