import { expect, test } from '@playwright/test';
import { signIn } from './harness';
import { DESKTOP, enterComplaint, runId } from './complaints-support';

const STAFF_MENU = ['Today', 'Complaints', 'Surveys', 'Customers', 'Counter', 'Vouchers', 'Follow-ups', 'Team'];

// Each demo role signs in through the local issuer, lands on Today, and is offered the
// areas its role may open, no more.
for (const [role, locations, menu] of [
  ['agent', ['loc-1'], STAFF_MENU],
  ['manager', ['loc-1'], [...STAFF_MENU, 'Segments']],
  ['admin', ['*'], [...STAFF_MENU, 'Segments', 'Rewards', 'Settings']],
] as const) {
  test(`${role} signs in, lands on Today and sees their menu`, async ({ page }) => {
    await page.setViewportSize(DESKTOP);
    await page.goto('/');
    await signIn(page, role, [...locations]);
    await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
    expect(new URL(page.url()).pathname).toBe('/');
    const items = page.getByRole('navigation', { name: 'Main menu' }).getByRole('link');
    await expect(items).toHaveText([...menu]);
  });
}

// A case of loc-2 does not exist for a loc-1 agent: its address shows the not-found
// message in words, not a blank page, and no action.
test('a loc-1 agent cannot reach a loc-2 case by its address', async ({ page, request }) => {
  const { complaintId } = await enterComplaint(request, 'agent@loc-2', 'loc-2', `Cold breakfast (${runId()})`);
  await page.setViewportSize(DESKTOP);
  await page.goto('/');
  await signIn(page, 'agent', ['loc-1']);
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  await page.goto(`/complaints/${encodeURIComponent(complaintId)}`);
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Not found');
  await expect(alert).toContainText('It does not exist, or it belongs to a location you cannot see.');
  await expect(page.getByRole('group', { name: 'Actions' })).toHaveCount(0);
});
