import { expect, test } from '@playwright/test';
import { api } from './harness';
import { openAt, seedCustomer, settledPage, shotsAt } from './customers-support';

test.use({ locale: 'en-US', viewport: { width: 1024, height: 768 } });

// The front desk (agent at loc-1, a tablet) finds a member by the phone typed another
// way than it is stored, earns for a bill of 120.00 in the programme's currency, sees
// the new balance, redeems, and a redeem above the balance is refused in plain words.
test('a member found by phone earns and redeems at the counter', async ({ page, request }) => {
  const guest = await seedCustomer(request, 'counter', 'Counter Guest');

  await openAt(page, 'agent', '/counter');
  await page.getByLabel('Member’s phone (or email, name, id)').fill(guest.typed);
  await page.getByLabel('Member’s phone (or email, name, id)').press('Enter');
  await expect(page.getByRole('heading', { name: `Member: ${guest.name}` })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/counter\\?customerId=${guest.customerId}$`));
  await settledPage(page);
  await shotsAt(page, 'counter-member');

  const bill = `B-${guest.customerId.slice(-6)}`;
  await page.getByLabel('Bill number').fill(bill);
  await page.getByLabel('Amount (CNY)').fill('120.00');
  await page.getByRole('button', { name: 'Earn points' }).click();
  await expect(page.getByText('120 points earned for CN¥120.00.')).toBeVisible();
  await expect(page.getByText('New balance: 120 points')).toBeVisible();

  // The same bill again earns nothing more.
  await page.getByLabel('Bill number').fill(bill);
  await page.getByLabel('Amount (CNY)').fill('120.00');
  await page.getByRole('button', { name: 'Earn points' }).click();
  await expect(page.getByText('This bill had already earned 120 points: nothing was added.')).toBeVisible();
  await expect(page.getByText('New balance: 120 points')).toBeVisible();

  await page.getByLabel('Points to redeem').fill('50');
  await page.getByRole('button', { name: 'Redeem', exact: true }).click();
  await expect(page.getByText('50 points redeemed.')).toBeVisible();
  await expect(page.getByText('New balance: 70 points')).toBeVisible();

  await page.getByLabel('Points to redeem').fill('500');
  await page.getByRole('button', { name: 'Redeem', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Not enough points: balance 70.' })).toBeVisible();
  await shotsAt(page, 'counter-not-enough');

  // Agents earn and redeem; adjusting is for managers.
  await expect(page.getByRole('button', { name: 'Adjust' })).toHaveCount(0);

  const account = await api<{ balance: number }>(request, 'manager', 'GET', `/v1/loyalty/${guest.customerId}`);
  expect(account.balance).toBe(70);
  const ledger = await api<{ items: { type: string; sourceId: string; points: number }[] }>(request, 'manager', 'GET', `/v1/loyalty/${guest.customerId}/ledger`);
  expect(ledger.items.map((e) => [e.type, e.points])).toEqual([
    ['redeem', -50],
    ['earn', 120],
  ]);
  expect(ledger.items[1]?.sourceId).toBe(`bill:${bill}`);

  // The customer's page tells the same story: balance, history and timeline.
  await page.getByRole('link', { name: 'Open the customer’s page' }).click();
  await expect(page.getByRole('heading', { name: `Profile: ${guest.name}` })).toBeVisible();
  const timeline = page.locator('.ant-card').filter({ has: page.getByRole('heading', { name: 'Timeline' }) });
  await expect(timeline.getByText('Earned: +120 points')).toBeVisible();
  await expect(timeline.getByText('Redeemed: -50 points')).toBeVisible();
  await timeline.getByText('Follow-ups', { exact: true }).click();
  await expect(timeline.getByText('Earned: +120 points')).toHaveCount(0);
  await settledPage(page);
  await shotsAt(page, 'customer-page-member');
});

// A manager adjusts with a reason; the entry carries it.
test('a manager adjusts points with a reason', async ({ page, request }) => {
  const guest = await seedCustomer(request, 'adjust', 'Adjust Guest');
  await openAt(page, 'manager', `/counter?customerId=${guest.customerId}`);
  await page.getByLabel('Points (+ to add, − to take)').fill('30');
  await page.getByLabel('Reason').fill('Goodwill for a late room');
  await page.getByRole('button', { name: 'Adjust' }).click();
  await expect(page.getByText('Points adjusted by +30.')).toBeVisible();
  await expect(page.getByText('New balance: 30 points')).toBeVisible();
  const ledger = await api<{ items: { type: string; reason?: string }[] }>(request, 'manager', 'GET', `/v1/loyalty/${guest.customerId}/ledger`);
  expect(ledger.items[0]).toMatchObject({ type: 'adjust', reason: 'Goodwill for a late room' });
});
