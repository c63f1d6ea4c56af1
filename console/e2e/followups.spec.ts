import { expect, test } from '@playwright/test';
import { api } from './harness';
import { openAt, seedCustomer, settledPage, shotsAt } from './customers-support';

test.use({ locale: 'en-US' });

// A branch manager picks a customer in Follow-ups (the customer view), schedules a
// message for tomorrow 10:00 at the location (Asia/Shanghai) and sees it scheduled;
// then lists the location's follow-ups (the default view), finds it by the day it is
// due and, from a link like Today's (?kind=&status=), cancels it.
test('a manager schedules a follow-up, finds it in the location list and cancels it', async ({ page, request }) => {
  const guest = await seedCustomer(request, 'followup', 'Followup Guest');

  await openAt(page, 'manager', '/followups');
  await expect(page.getByText('The follow-ups of Harbour Hotel, latest due first.')).toBeVisible();
  await page.getByText('By customer', { exact: true }).click();
  await expect(page).toHaveURL(/\/followups\?view=customer$/);
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
  // 10:00 in Shanghai is 02:00 UTC, the same day there.
  const dueAt = listed.items[0]!.dueAt;
  expect(dueAt).toMatch(/T02:00:00Z$/);
  const day = dueAt.slice(0, 10);

  // The location's list, narrowed to the day it is due (at the location), in the address.
  await page.getByText('By location', { exact: true }).click();
  await expect(page).toHaveURL(/\/followups$/);
  await page.getByLabel('Due from (day at the location)').fill(day);
  await page.getByLabel('Due until (day at the location)').fill(day);
  await expect(page).toHaveURL(new RegExp(`/followups\\?from=${day}&to=${day}$`));
  const inList = page.getByRole('row').filter({ has: page.getByRole('link', { name: guest.customerId }) });
  await expect(inList.getByText('Message from staff')).toBeVisible();
  await expect(inList.getByText('Scheduled')).toBeVisible();

  // A drill-down link as Today makes it: kind and status from the address.
  await page.goto(`/followups?kind=message&status=scheduled&from=${day}&to=${day}`);
  await expect(inList.getByText('Scheduled')).toBeVisible();
  await settledPage(page);
  await shotsAt(page, 'followups-location');

  await inList.getByRole('button', { name: /^Cancel the follow-up due / }).click();
  await page.getByRole('button', { name: 'Cancel it' }).click();
  await expect(page.getByText('Follow-up cancelled')).toBeVisible();
  // Cancelled: out of a list of scheduled ones.
  await expect(inList).toHaveCount(0);

  const after = await api<{ items: { status: string }[] }>(request, 'manager', 'GET', `/v1/followups?customerId=${guest.customerId}`);
  expect(after.items[0]?.status).toBe('cancelled');
});
