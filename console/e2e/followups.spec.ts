import { expect, test } from '@playwright/test';
import { api } from './harness';
import { openAt, seedCustomer, settledPage, shotsAt } from './customers-support';

test.use({ locale: 'en-US' });

// A branch manager picks a customer in Follow-ups, schedules a message for tomorrow
// 10:00 at the location (Asia/Shanghai), sees it scheduled, and cancels it.
test('a manager schedules and cancels a follow-up', async ({ page, request }) => {
  const guest = await seedCustomer(request, 'followup', 'Followup Guest');

  await openAt(page, 'manager', '/followups');
  const search = page.getByLabel('Find a customer by phone, email, name or id');
  await search.fill(guest.email);
  await search.press('Enter');
  await page.getByRole('button', { name: `Choose ${guest.name}` }).click();
  await expect(page).toHaveURL(new RegExp(`/followups\\?customerId=${guest.customerId}$`));
  await expect(page.getByText('No follow-ups for this customer yet.')).toBeVisible();

  await page.getByRole('button', { name: 'Schedule a message' }).click();
  const dialog = page.getByRole('dialog', { name: 'Schedule a message' });
  await expect(dialog.getByLabel(/Send at \(time at Harbour Hotel, Asia\/Shanghai\)/)).toHaveValue(/T10:00$/);
  await dialog.getByLabel('Message in Chinese').fill('您的房间已准备好。');
  await dialog.getByLabel('Message in English').fill('Your room is ready.');
  await dialog.getByRole('button', { name: 'Schedule' }).click();
  await expect(page.getByText(/^Message scheduled for /)).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: 'Message from staff' });
  await expect(row.getByText('Scheduled')).toBeVisible();
  // Not sent yet: no sending time shown.
  await expect(row.getByRole('cell').nth(4)).toHaveText('—');
  await settledPage(page);
  await shotsAt(page, 'followups');

  const listed = await api<{ items: { followupId: string; kind: string; status: string; dueAt: string }[] }>(
    request,
    'manager',
    'GET',
    `/v1/followups?customerId=${guest.customerId}`,
  );
  expect(listed.items).toHaveLength(1);
  expect(listed.items[0]).toMatchObject({ kind: 'message', status: 'scheduled' });
  // 10:00 in Shanghai is 02:00 UTC.
  expect(listed.items[0]?.dueAt).toMatch(/T02:00:00Z$/);

  await row.getByRole('button', { name: /^Cancel the follow-up due / }).click();
  await page.getByRole('button', { name: 'Cancel it' }).click();
  await expect(page.getByText('Follow-up cancelled')).toBeVisible();
  await expect(row.getByText('Cancelled')).toBeVisible();
  await expect(row.getByRole('button', { name: /^Cancel the follow-up due / })).toHaveCount(0);

  const after = await api<{ items: { status: string }[] }>(request, 'manager', 'GET', `/v1/followups?customerId=${guest.customerId}`);
  expect(after.items[0]?.status).toBe('cancelled');
});
