import { expect, test } from '@playwright/test';
import { api } from './harness';
import { openAt, seedCustomer, settledPage, shotsAt } from './customers-support';
import { openAs, settled } from './settings-support';

test.use({ locale: 'en-US', viewport: { width: 1024, height: 768 } });

interface Voucher {
  code: string;
  printedCode: string;
  status: string;
  redemption?: { sourceId: string; locationId: string };
}

// Head office adds a reward to the catalogue; at loc-1's front desk a member earns
// points for a bill and takes it for its voucher; at the till the code is checked and
// redeemed for a bill, and a second redeem for another bill is refused in plain words.
test('a reward is created, taken at the counter and its voucher redeemed once', async ({ browser, page, request }) => {
  const tail = Date.now().toString(36);
  const name = `Ten off ${tail}`;
  const rewardId = `ten-off-${tail}`;

  // Head office (admin, all locations) creates the reward: 100 points for CN¥10.00 off.
  const office = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
  try {
    const admin = await office.newPage();
    await openAs(admin, 'admin', ['*'], '/rewards/new');
    await admin.getByLabel('Name in Chinese').fill(`减十元 ${tail}`);
    await admin.getByLabel('Name in English').fill(name);
    await expect(admin.getByLabel('Reward id')).toHaveValue(rewardId);
    await admin.getByLabel('Points it costs').fill('100');
    await admin.getByLabel('Amount off', { exact: true }).fill('10');
    await admin.getByLabel('Currency').fill('CNY');
    await admin.getByLabel('Stock').fill('5');
    await admin.getByRole('button', { name: 'Create the reward' }).click();
    await expect(admin).toHaveURL(new RegExp(`/rewards/${rewardId}$`));
    await expect(admin.getByText('Editing version 1')).toBeVisible();
    await admin.getByRole('link', { name: 'Back to the catalogue' }).click();
    await settled(admin);
    await expect(admin.getByRole('row').filter({ hasText: name })).toContainText('CN¥10.00 off');
  } finally {
    await office.close();
  }
  const catalogue = await api<{ rewards: { rewardId: string; pointsCost: number; stock?: number; value: unknown }[] }>(request, 'admin', 'GET', '/v1/rewards');
  expect(catalogue.rewards.find((r) => r.rewardId === rewardId)).toMatchObject({ pointsCost: 100, stock: 5, value: { amountOff: 10, currency: 'CNY' } });

  // The front desk finds the member, earns 120 points for a bill and takes the reward.
  const guest = await seedCustomer(request, 'rewards', 'Rewards Guest');
  await openAt(page, 'agent', '/counter');
  await page.getByLabel('Member’s phone (or email, name, id)').fill(guest.typed);
  await page.getByLabel('Member’s phone (or email, name, id)').press('Enter');
  await expect(page.getByRole('heading', { name: `Member: ${guest.name}` })).toBeVisible();
  await page.getByLabel('Bill number').fill(`B-${tail}`);
  await page.getByLabel('Amount (CNY)').fill('120.00');
  await page.getByRole('button', { name: 'Earn points' }).click();
  await expect(page.getByText('New balance: 120 points')).toBeVisible();
  await settledPage(page);

  await page.getByRole('button', { name: `Take ${name}` }).click();
  await expect(page.getByText(`Voucher issued: ${name}`)).toBeVisible();
  const vouchers = await api<{ vouchers: Voucher[] }>(request, 'manager', 'GET', `/v1/customers/${guest.customerId}/vouchers`);
  expect(vouchers.vouchers).toHaveLength(1);
  const v = vouchers.vouchers[0]!;
  await expect(page.getByText(v.printedCode).first()).toBeVisible();
  await shotsAt(page, 'counter-reward-taken');
  const account = await api<{ balance: number }>(request, 'manager', 'GET', `/v1/loyalty/${guest.customerId}`);
  expect(account.balance).toBe(20);

  // At the till: the code as typed (lower case, spaces), checked, then redeemed for a bill.
  await page.goto('/vouchers');
  await settledPage(page);
  await page.getByLabel('Voucher code').fill(v.printedCode.toLowerCase().replace(/-/g, ' '));
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(page.getByRole('heading', { name: `Voucher ${v.printedCode}` })).toBeVisible();
  await expect(page.getByText('Valid', { exact: true })).toBeVisible();
  const bill = `R-${tail}`;
  await page.getByLabel('Bill number').fill(bill);
  await page.getByRole('button', { name: 'Redeem', exact: true }).click();
  await expect(page.getByText(`Redeemed for bill ${bill}.`)).toBeVisible();
  await expect(page.locator('.ant-tag').filter({ hasText: 'Redeemed' })).toBeVisible();
  await shotsAt(page, 'voucher-redeemed');

  // Another bill: the voucher was redeemed already, and the page says so in words. (The
  // button is found by a part of its name: the screenshots' resizing can leave its
  // loading icon's leave animation, and so that icon's label, in the button.)
  await page.getByLabel('Bill number').fill(`R2-${tail}`);
  await page.getByRole('button', { name: 'Redeem' }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'Refused' });
  await expect(refused).toContainText(/Already redeemed on .+ at Harbour Hotel\./);
  await shotsAt(page, 'voucher-redeemed-already');

  const after = await api<Voucher>(request, 'manager', 'GET', `/v1/vouchers/${v.code}`);
  expect(after).toMatchObject({ status: 'redeemed', redemption: { sourceId: `bill:${bill}`, locationId: 'loc-1' } });
});
