import { expect, test } from '@playwright/test';
import { api } from './harness';
import { openAt, seedCustomer, settledPage, shotsAt } from './customers-support';

test.use({ locale: 'en-US', viewport: { width: 1280, height: 800 } });

// A till reports visits served by the front desk's agent and by a till of its own; the
// branch manager sees both on the Team page, with no score from no responses ("not
// enough data"), and names the till in the staff directory; the agent sees only their
// own line.
test('the Team page shows each staff member’s figures, names them, and shows an agent only their own', async ({ page, browser, request }) => {
  const tail = Date.now().toString(36);
  const till = `till-${tail}`;
  const guest = await seedCustomer(request, 'team', 'Team Guest');
  const at = new Date().toISOString();
  for (const [i, staffId] of [['1', 'dev-agent'], ['2', 'dev-agent'], ['3', till]] as const) {
    await api(request, 'system', 'POST', '/v1/visits', {
      sourceId: `team-${tail}-${i}`,
      customerId: guest.customerId,
      locationId: 'loc-1',
      amount: 42,
      currency: 'CNY',
      at,
      staffId,
    });
  }

  await openAt(page, 'manager', '/team');
  await expect(page.getByRole('heading', { name: 'Staff performance' })).toBeVisible();
  const tillRow = page.getByRole('row').filter({ hasText: till });
  await expect(tillRow).toContainText('Not enough data');
  await expect(tillRow.getByRole('cell').nth(2)).toHaveText('1'); // expand, staff, visits
  await expect(page.getByRole('row').filter({ hasText: 'dev-agent' }).getByRole('cell').nth(2)).toHaveText('2');

  // The manager names the till; the report then says the name.
  await page.getByLabel('Staff id').fill(till);
  await page.getByLabel('Name', { exact: true }).fill(`Till four ${tail}`);
  await page.getByRole('button', { name: 'Save the name' }).click();
  await expect(page.getByRole('row').filter({ hasText: `Till four ${tail}` }).first()).toBeVisible();
  await settledPage(page);
  await expect(page.getByRole('table').first().getByRole('row').filter({ hasText: `Till four ${tail}` })).toContainText('Not enough data');
  const named = await api<{ items: { staffId: string; name: string }[] }>(request, 'manager', 'GET', '/v1/locations/loc-1/staff');
  expect(named.items).toContainEqual(expect.objectContaining({ staffId: till, name: `Till four ${tail}` }));
  await shotsAt(page, 'team-manager');

  // The agent sees their own figures only, and no directory.
  const desk = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  try {
    const agent = await desk.newPage();
    await openAt(agent, 'agent', '/team');
    const rows = agent.getByRole('table').getByRole('row').filter({ has: agent.getByRole('cell') });
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText('dev-agent');
    await expect(agent.getByText(till)).toHaveCount(0);
    await expect(agent.getByRole('heading', { name: 'Staff directory' })).toHaveCount(0);
  } finally {
    await desk.close();
  }
});
