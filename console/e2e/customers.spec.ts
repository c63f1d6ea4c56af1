import { expect, test } from '@playwright/test';
import { api } from './harness';
import { openAt, seedCustomer, settledPage, shotsAt } from './customers-support';

test.use({ locale: 'en-US' });

// A branch manager finds a customer by name at their location, opens the customer's
// page (profile, consent, loyalty, value, follow-ups, timeline) and edits the profile;
// the API holds the change.
test('a manager finds a customer and edits the profile', async ({ page, request }) => {
  const guest = await seedCustomer(request, 'profile', 'Profile Guest');

  await openAt(page, 'manager', '/customers');
  const search = page.getByLabel('Find a customer by phone, email, name or id');
  await search.fill(guest.name);
  await search.press('Enter');
  const link = page.getByRole('link', { name: `Open ${guest.name}` });
  await expect(link).toBeVisible();
  await expect(page).toHaveURL(/\/customers\?q=/);
  await shotsAt(page, 'customers-search');

  // The phone in another spelling finds the same customer.
  await search.fill(guest.typed);
  await search.press('Enter');
  await expect(link).toBeVisible();

  await link.click();
  await expect(page).toHaveURL(new RegExp(`/customers/${guest.customerId}$`));
  await expect(page.getByRole('heading', { name: `Profile: ${guest.name}` })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Loyalty' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Timeline' })).toBeVisible();
  await settledPage(page);
  await shotsAt(page, 'customer-page');

  await page.getByRole('button', { name: 'Edit profile' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit profile' });
  await dialog.getByLabel('Name').fill(`${guest.name} Edited`);
  await dialog.getByLabel('Birthday').fill('05-20');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Profile saved')).toBeVisible();
  await expect(page.getByRole('heading', { name: `Profile: ${guest.name} Edited` })).toBeVisible();

  const stored = await api<{ name: string; birthday: string; version: number }>(request, 'manager', 'GET', `/v1/customers/${guest.customerId}`);
  expect(stored).toMatchObject({ name: `${guest.name} Edited`, birthday: '05-20', version: 2 });

  // The customer agrees to SMS at the desk: the change heads the consent history, at
  // the location's time (Asia/Shanghai), from the console, by the manager.
  const consent = page.locator('.ant-card').filter({ has: page.getByRole('heading', { name: 'Consent', exact: true }) });
  await consent.locator('.ant-list-item').filter({ hasText: 'SMS' }).getByRole('button', { name: 'Record opt-in' }).click();
  await page.getByRole('button', { name: 'Record', exact: true }).click();
  await expect(consent.getByText('Consent recorded')).toBeVisible();
  await expect(consent.getByText('Times at Harbour Hotel (Asia/Shanghai).')).toBeVisible();
  const latest = consent.locator('.ant-timeline-item').first();
  await expect(latest.getByLabel('SMS: Opted in')).toBeVisible();
  await expect(latest.getByText('via staff-console')).toBeVisible();
  const history = await api<{ history: { channel: string; granted: boolean; at: string; source: string }[] }>(
    request,
    'manager',
    'GET',
    `/v1/customers/${guest.customerId}/consent?history=true`,
  );
  expect(history.history[0]).toMatchObject({ channel: 'sms', granted: true, source: 'staff-console' });
  const shanghai = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23', timeZone: 'Asia/Shanghai' });
  await expect(latest.locator('time')).toHaveText(shanghai.format(new Date(history.history[0]!.at)));
  await settledPage(page);
  await shotsAt(page, 'customer-consent');

  // Managers see merge, export and erasure, each behind a confirmation.
  await page.getByRole('button', { name: 'Erase customer' }).click();
  const erase = page.getByRole('dialog', { name: 'Erase this customer’s personal data' });
  await expect(erase.getByRole('button', { name: 'Erase for good' })).toBeDisabled();
  await erase.getByRole('button', { name: 'Cancel' }).click();
});

// The front desk does not get the manager's actions on a customer.
test('an agent sees the customer page without merge, export or erasure', async ({ page, request }) => {
  const guest = await seedCustomer(request, 'agentview', 'Agent View Guest');
  await openAt(page, 'agent', `/customers/${guest.customerId}`);
  await expect(page.getByRole('heading', { name: `Profile: ${guest.name}` })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Edit profile' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Erase customer' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Merge a duplicate' })).toHaveCount(0);
});
