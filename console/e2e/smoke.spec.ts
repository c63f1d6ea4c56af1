import { expect, test } from '@playwright/test';
import { api, shot, signIn } from './harness';

// The console loads, sends a person who has not signed in to the issuer's sign-in page,
// and after signing in as the front desk (agent at loc-1) comes back to the app shell
// at /, with the callback's code gone from the address; nothing on the way is refused
// by the Content-Security-Policy or throws.
test('signs in as the front desk and lands on the app shell', async ({ page }) => {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto('/');
  await signIn(page, 'agent', ['loc-1']);
  await expect(page.locator('main, [data-testid="app-shell"]').first()).toBeVisible();
  const landed = new URL(page.url());
  expect(landed.pathname).toBe('/');
  expect(landed.searchParams.has('code')).toBe(false);
  await shot(page, 'console-smoke-agent');
  expect(errors).toEqual([]);
});

// The harness's tokens reach the API, each with its own locations: head office sees
// both demo hotels, the loc-2 agent only loc-2.
test('the demo tokens see the seeded locations', async ({ request }) => {
  const ids = async (user: 'admin' | 'agent@loc-2') =>
    (await api<{ items: { locationId: string }[] }>(request, user, 'GET', '/v1/locations')).items.map((l) => l.locationId).sort();
  expect(await ids('admin')).toEqual(['loc-1', 'loc-2']);
  expect(await ids('agent@loc-2')).toEqual(['loc-2']);
});
