import { expect, test } from '@playwright/test';
import { api } from './harness';
import { openAs, settled, shotsAtBothSizes } from './settings-support';

// loc-1's branch manager builds a segment of the customers tagged e2e-segments and sees
// it holds the two of them (not the untagged one), then sends it a campaign from the
// win-back template with a voucher of 20 off and sees how many messages were scheduled
// and vouchers issued.
test('a manager builds a segment, sees its count and sends it a campaign', async ({ page, request }) => {
  for (const [id, tags] of [
    ['c-segments-1', ['e2e-segments', 'wine']],
    ['c-segments-2', ['e2e-segments']],
    ['c-segments-3', ['wine']],
  ] as const) {
    await api(request, 'manager', 'POST', '/v1/customers', {
      customerId: id,
      name: `Segment guest ${id.slice(-1)}`,
      email: `${id}@example.com`,
      locationId: 'loc-1',
      tags,
    });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await openAs(page, 'manager', ['loc-1'], '/segments');
  await expect(page.getByRole('heading', { name: 'Segments and campaigns', level: 1 })).toBeVisible();
  await shotsAtBothSizes(page, 'segments-list');

  await page.getByRole('button', { name: 'New segment' }).click();
  await expect(page.getByRole('heading', { name: 'New segment' })).toBeVisible();
  await page.getByLabel('Name', { exact: true }).fill('Tagged for the e2e test');
  const tags = page.getByLabel('Tags', { exact: true });
  await tags.fill('e2e-segments');
  await tags.press('Enter');
  await tags.press('Escape');
  await shotsAtBothSizes(page, 'segments-builder');
  await page.getByRole('button', { name: 'Save the segment' }).click();

  await expect(page).toHaveURL(/\/segments\/[^/]+$/);
  await settled(page);
  const count = page.locator('.ant-statistic').filter({ hasText: 'Customers in it now' });
  await expect(count.locator('.ant-statistic-content-value')).toHaveText('2');
  await expect(page.getByRole('link', { name: 'Segment guest 1' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Segment guest 2' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Segment guest 3' })).toHaveCount(0);
  await expect(page.getByText('Consent and the frequency cap apply')).toBeVisible();
  await shotsAtBothSizes(page, 'segments-detail');

  // Each member also gets a voucher of 20 off, valid 30 days.
  await page.getByLabel('An amount off').check();
  await page.getByLabel(/^Amount off/).fill('20');
  await expect(page.getByLabel('Valid for (days)')).toHaveValue('30');
  await page.getByRole('button', { name: 'Send the campaign' }).click();
  await page.locator('.ant-popconfirm').getByRole('button', { name: 'Send the campaign' }).click();
  const result = page.getByRole('status').filter({ hasText: 'The campaign is scheduled.' });
  await expect(result).toBeVisible();
  await expect(result.locator('.ant-statistic').filter({ hasText: 'Messages scheduled' }).locator('.ant-statistic-content-value')).toHaveText('2');
  await expect(result.locator('.ant-statistic').filter({ hasText: 'Skipped now' }).locator('.ant-statistic-content-value')).toHaveText('0');
  await expect(result.locator('.ant-statistic').filter({ hasText: 'Vouchers issued' }).locator('.ant-statistic-content-value')).toHaveText('2');
  await shotsAtBothSizes(page, 'segments-campaign');
  const vouchers = await api<{ vouchers: { source: { kind: string }; value: { amountOff?: number }; status: string }[] }>(
    request,
    'manager',
    'GET',
    '/v1/customers/c-segments-1/vouchers',
  );
  expect(vouchers.vouchers.some((v) => v.source.kind === 'campaign' && v.value.amountOff === 20 && v.status === 'issued')).toBe(true);

  const listed = await api<{ items: { name: string; filter: { locationId: string; tags?: string[] } }[] }>(request, 'manager', 'GET', '/v1/segments');
  expect(listed.items.find((s) => s.name === 'Tagged for the e2e test')?.filter).toEqual({ locationId: 'loc-1', tags: ['e2e-segments'] });
});

// loc-1's manager gives the location its own win-back days, over the version of the
// value settings read; head office's days stay as they were. Put back afterwards.
test('a manager sets the location’s own win-back days', async ({ page, request }) => {
  const before = await api<{ winBack: { days: number; locations?: Record<string, number> }; version: number }>(request, 'admin', 'GET', '/v1/settings/value');
  await page.setViewportSize({ width: 1280, height: 800 });
  await openAs(page, 'manager', ['loc-1'], '/segments');
  const card = page.locator('.ant-card').filter({ hasText: 'Win-back at your location' });
  await card.getByText('Our own number of days').click();
  await card.getByLabel('Days without a visit', { exact: true }).fill('45');
  await card.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText('Saved: the location’s win-back days are set.')).toBeVisible();
  await expect(card.getByText(`Editing version ${before.version + 1}`)).toBeVisible();
  try {
    const after = await api<typeof before>(request, 'admin', 'GET', '/v1/settings/value');
    expect(after.winBack.locations?.['loc-1']).toBe(45);
    expect(after.winBack.days).toBe(before.winBack.days);
  } finally {
    const now = await api<typeof before>(request, 'admin', 'GET', '/v1/settings/value');
    const back = before.winBack.locations?.['loc-1'] ?? null;
    await api(request, 'manager', 'PUT', '/v1/settings/value/win-back/loc-1', { days: back, version: now.version });
  }
});

// An agent is not offered segments: the menu has no entry, and the address says so.
test('an agent may not open segments', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openAs(page, 'agent', ['loc-1'], '/segments');
  await expect(page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Segments' })).toHaveCount(0);
  await expect(page.getByRole('alert').filter({ hasText: 'Your role may not do this' })).toBeVisible();
});
