import { expect, test } from '@playwright/test';
import { api } from './harness';
import { openAs, settled, shotsAtBothSizes } from './settings-support';

interface Loc {
  locationId: string;
  version: number;
  weeklyHours: Record<string, string[]> | null;
  [k: string]: unknown;
}

// Head office edits loc-2's Monday into a split day (09:00–12:00 and 13:00–18:00) and
// saves; a second tab that read the location before saves over the old version and is
// told in words that someone saved meanwhile, then reloads the current version. The
// location's hours are put back afterwards, for the specs that follow.
test('an admin adds a split shift; a stale save shows the conflict', async ({ browser, request }) => {
  const before = await api<Loc>(request, 'admin', 'GET', '/v1/locations/loc-2');
  // Two browsers, each signed in on its own: two people at head office.
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const a = await context.newPage();
    await openAs(a, 'admin', ['*'], '/settings/locations/loc-2');
    await expect(a.getByText(`Editing version ${before.version}`)).toBeVisible();
    const b = await other.newPage();
    await openAs(b, 'admin', ['*'], '/settings/locations/loc-2');
    await expect(b.getByText(`Editing version ${before.version}`)).toBeVisible();

    await a.getByLabel('Monday, shift 1: closes').fill('12:00');
    await a.getByRole('button', { name: 'Add a shift on Monday' }).click();
    await a.getByLabel('Monday, shift 2: opens').fill('13:00');
    await a.getByLabel('Monday, shift 2: closes').fill('18:00');
    await a.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(a.getByText(`Editing version ${before.version + 1}`)).toBeVisible();
    const saved = await api<Loc>(request, 'admin', 'GET', '/v1/locations/loc-2');
    expect(saved.weeklyHours?.mon).toEqual(['09:00-12:00', '13:00-18:00']);
    expect(saved.weeklyHours?.tue).toEqual(before.weeklyHours?.tue);
    await shotsAtBothSizes(a, 'settings-location-edit');

    await b.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(b.getByRole('alert').filter({ hasText: 'Someone else saved this meanwhile' })).toBeVisible();
    await shotsAtBothSizes(b, 'settings-location-conflict');
    await b.getByRole('button', { name: 'Reload the current version' }).click();
    await expect(b.getByText(`Editing version ${before.version + 1}`)).toBeVisible();
    await expect(b.getByLabel('Monday, shift 2: opens')).toHaveValue('13:00');
    await expect(b.getByText('Someone else saved this meanwhile')).toHaveCount(0);
  } finally {
    await context.close();
    await other.close();
    const now = await api<Loc>(request, 'admin', 'GET', '/v1/locations/loc-2');
    if (now.version !== before.version) {
      await api(request, 'admin', 'PUT', '/v1/locations/loc-2', { ...before, updatedAt: undefined, version: now.version });
    }
  }
});

// An agent is not offered Settings, and a typed /settings says it is not allowed.
test('an agent does not see Settings, and /settings is not allowed', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openAs(page, 'agent', ['loc-1'], '/');
  const menu = page.getByRole('navigation', { name: 'Main menu' });
  await expect(menu.getByRole('link', { name: 'Today' })).toBeVisible();
  await expect(menu.getByRole('link', { name: 'Settings' })).toHaveCount(0);
  await page.goto('/settings');
  await settled(page);
  await expect(page.getByRole('alert').filter({ hasText: 'Your role may not do this' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Locations' })).toHaveCount(0);
});

// Every settings page an admin opens, at phone and desktop sizes.
test('the settings pages at phone and desktop sizes', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openAs(page, 'admin', ['*'], '/settings');
  await expect(page.getByRole('cell', { name: 'Harbour Hotel', exact: true }).first()).toBeVisible();
  await shotsAtBothSizes(page, 'settings-locations');
  for (const [path, heading, name] of [
    ['/settings/locations/new', 'New location', 'settings-location-new'],
    ['/settings/complaints', 'Complaint handling', 'settings-complaints'],
    ['/settings/loyalty', 'Loyalty programme', 'settings-loyalty'],
    ['/settings/value', 'Customer value', 'settings-value'],
  ] as const) {
    await page.goto(path);
    await settled(page);
    await expect(page.getByRole('heading', { name: heading })).toBeVisible();
    await expect(page.getByRole('alert')).toHaveCount(0);
    await shotsAtBothSizes(page, name);
  }
});

// A complaint settings save over a version someone else saved meanwhile is said in
// words; a field the API refuses is marked on its field.
test('complaint settings: a refused field is marked, a stale version is a conflict', async ({ page, request }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openAs(page, 'admin', ['*'], '/settings/complaints');
  const read = await api<{ version: number }>(request, 'admin', 'GET', '/v1/settings/complaints');
  await page.getByLabel('Reopen allowed for').fill('14');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText(`Editing version ${read.version + 1}`)).toBeVisible();

  // Someone else saves: this page still edits the version before.
  const current = await api<Record<string, unknown> & { version: number }>(request, 'admin', 'GET', '/v1/settings/complaints');
  await api(request, 'admin', 'PUT', '/v1/settings/complaints', { ...current, updatedAt: undefined });
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Someone else saved this meanwhile' })).toBeVisible();
  await page.getByRole('button', { name: 'Reload the current version' }).click();
  await expect(page.getByText(`Editing version ${read.version + 2}`)).toBeVisible();
});
