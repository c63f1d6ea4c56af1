import { expect, test } from '@playwright/test';
import { signIn } from './harness';
import { DESKTOP, enterComplaint, runId, shots } from './complaints-support';

// Today for loc-1's manager: the open cases counted (one entered here at least), each
// number a link to the queue filtered to them, the filters kept in the address through
// a reload; the callbacks a link to the follow-ups filtered to them; the scores shown,
// or said to be unavailable.
test('Today counts the open cases and leads to them', async ({ page, request }) => {
  const description = `Lift out of order (${runId()})`;
  await enterComplaint(request, 'manager', 'loc-1', description);
  await page.setViewportSize(DESKTOP);
  await page.goto('/');
  await signIn(page, 'manager', ['loc-1']);
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();

  const open = page.getByRole('link', { name: /^Open cases: .*Show them in the queue$/ });
  await expect(open).toBeVisible();
  const count = Number((await open.textContent())!.replace(/\D/g, ''));
  expect(count).toBeGreaterThanOrEqual(1);
  await expect(page.getByRole('link', { name: /^Open cases past their SLA: / })).toBeVisible();
  await expect(page.getByRole('link', { name: /^Callbacks due: .*Show them in the follow-ups$/ })).toHaveAttribute(
    'href',
    /^\/followups\?locationId=loc-1&kind=recovery-callback%2Ccomplaint-callback&status=[^&]+&from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$/,
  );
  await expect(page.getByText(/^(Last 30 days|Scores are not available: this Rapport has no KPI report\.)$/).first()).toBeVisible();
  await expect(page.getByText('Loading the scores…')).toHaveCount(0);
  await shots(page, 'today');

  await open.click();
  await expect(page).toHaveURL(/\/complaints\?status=open&locationId=loc-1$/);
  await expect(page.locator('.ant-select', { has: page.locator('#queue-status') })).toContainText('Open (not resolved)');
  await expect(page.getByText(/^Cases: \d+$/)).toBeVisible();
  await page.reload();
  await expect(page).toHaveURL(/\/complaints\?status=open&locationId=loc-1$/);
  await expect(page.locator('.ant-select', { has: page.locator('#queue-status') })).toContainText('Open (not resolved)');
  await expect(page.getByText(/^Cases: \d+$/)).toBeVisible();
});
