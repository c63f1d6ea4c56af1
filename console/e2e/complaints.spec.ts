import { expect, test, type Browser, type Page } from '@playwright/test';
import { api, signIn } from './harness';
import { actionButton, caseStatus, DESKTOP, enterComplaint, makeCustomer, runId, shots } from './complaints-support';

interface Case {
  status: string;
  assignee?: string;
  rootCause?: string;
  compensationPoints?: number;
  compensationVoucher?: { code?: string; value: { amountOff?: number }; validDays: number };
  customerId?: string;
  timeline: { type: string; note?: string; internal?: boolean }[];
}

/** Picks an option of the antd select labelled label. */
// Picks an option of a select and waits until the field shows it. On a busy machine a
// click can land while the list is still opening, or on another list still closing, and
// the field stays empty (the form then refuses to save): open it and pick again until
// the field holds the option.
async function choose(page: Page, label: string, option: string) {
  const input = page.getByLabel(label, { exact: true });
  const select = page.locator('.ant-select', { has: input });
  await expect(async () => {
    await input.click();
    await page.locator(`.ant-select-dropdown:visible .ant-select-item-option[title="${option}"]`).click({ timeout: 3000 });
    await expect(select).toContainText(option, { timeout: 1000 });
  }).toPass({ timeout: 20_000 });
}

// A complaint taken by phone at the desk, from intake to closed, all through the
// console as loc-1's manager (closing needs one): the customer found by phone and
// linked, acknowledged, assigned, an internal note, resolved with a root cause,
// compensation points and a voucher, closed. The API then shows the same case.
test('a complaint from intake to closed through the console', async ({ page, request }) => {
  const id = runId();
  const phone = `+86139${String(Date.now()).slice(-8)}`;
  const name = `Guest ${id}`;
  const customer = await makeCustomer(request, name, phone);

  await page.setViewportSize(DESKTOP);
  await page.goto('/');
  await signIn(page, 'manager', ['loc-1']);
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();

  await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Complaints' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Complaints' })).toBeVisible();
  await page.getByRole('button', { name: 'New complaint' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New complaint' })).toBeVisible();

  await page.getByText('Walk-in', { exact: true }).click();
  await choose(page, 'Category', 'Billing');
  await choose(page, 'Severity', 'High');
  await page.getByLabel('Find a customer by phone, email or name').fill(phone);
  await page.getByLabel('Find a customer by phone, email or name').press('Enter');
  await page.getByRole('button', { name: `Link this customer: ${name}` }).click();
  await expect(page.getByText('Linked to this customer')).toBeVisible();
  await expect(page.getByLabel('Contact name')).toHaveValue(name);
  await page.getByLabel('What the customer said').fill(`Charged twice for the room (${id})`);
  await page.getByRole('button', { name: 'Create the case' }).click();

  await expect(page).toHaveURL(/\/complaints\/(?!new$)[^/?]+$/);
  const complaintId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
  await expect(page.getByText('The case is created: its SLA clocks are running.')).toBeVisible();
  await expect(caseStatus(page)).toHaveAttribute('data-status', 'received');
  await expect(page.getByRole('link', { name: 'Open the customer page' })).toHaveAttribute('href', `/customers/${customer.customerId}`);

  await actionButton(page, 'Acknowledge').click();
  await expect(caseStatus(page)).toHaveAttribute('data-status', 'acknowledged');

  await actionButton(page, 'Assign').click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: 'Assign to me' }).click();
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('case-assignee')).toHaveText('dev-manager');

  await actionButton(page, 'Add a note').click();
  await dialog.getByLabel('Note', { exact: true }).fill(`Called the guest back (${id})`);
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText(`Called the guest back (${id})`)).toBeVisible();

  await actionButton(page, 'Resolve').click();
  await dialog.getByLabel('Resolution (the customer is told this)').fill('Refunded the second charge');
  await choose(page, 'Root cause', 'Process');
  await dialog.getByLabel('Compensation points (0 for none)').fill('50');
  await dialog.getByLabel(/Compensation voucher, amount off/).fill('20');
  await dialog.getByLabel('Voucher valid for (days)').fill('14');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(caseStatus(page)).toHaveAttribute('data-status', 'resolved');
  await expect(dialog).toBeHidden();
  await shots(page, 'complaints-case');

  await actionButton(page, 'Close').click();
  await page.getByRole('button', { name: 'Yes', exact: true }).click();
  await expect(caseStatus(page)).toHaveAttribute('data-status', 'closed');

  const stored = await api<Case>(request, 'manager', 'GET', `/v1/complaints/${encodeURIComponent(complaintId)}`);
  expect(stored).toMatchObject({ status: 'closed', assignee: 'dev-manager', rootCause: 'process', compensationPoints: 50, customerId: customer.customerId });
  // The voucher is the customer's, issued with the resolution for 14 days.
  expect(stored.compensationVoucher).toMatchObject({ value: { amountOff: 20 }, validDays: 14 });
  const vouchers = await api<{ vouchers: { code: string; status: string }[] }>(request, 'manager', 'GET', `/v1/customers/${customer.customerId}/vouchers`);
  expect(vouchers.vouchers).toContainEqual(expect.objectContaining({ code: stored.compensationVoucher?.code, status: 'issued' }));
  expect(stored.timeline.map((e) => e.type)).toEqual(expect.arrayContaining(['received', 'acknowledge', 'assign', 'note', 'resolve', 'close']));
  expect(stored.timeline.find((e) => e.type === 'note')).toMatchObject({ internal: true, note: `Called the guest back (${id})` });

  // The queue, filtered in its address, keeps the filter on reload.
  await page.goto('/complaints?status=closed&locationId=loc-1');
  await expect(page.getByRole('link', { name: /Open case/ }).first()).toBeVisible();
  await page.reload();
  await expect(page.locator('.ant-select', { has: page.locator('#queue-status') })).toContainText('Closed');
  await page.goto('/complaints?locationId=loc-1');
  await expect(page.getByRole('link', { name: /Open case/ }).first()).toBeVisible();
  await shots(page, 'complaints-queue');
});

async function signedIn(browser: Browser, baseURL: string | undefined): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: DESKTOP });
  const page = await context.newPage();
  await page.goto('/');
  await signIn(page, 'agent', ['loc-1']);
  await expect(page.getByRole('heading', { level: 1, name: 'Today' })).toBeVisible();
  return page;
}

// Two people have the same case open; one acknowledges it; the other's acknowledgement,
// sent with the version they read, is answered 409: the console says someone else
// changed the case and shows it as it is now.
test('a stale action is answered as a conflict and the case is reloaded', async ({ browser, request }) => {
  const { complaintId } = await enterComplaint(request, 'manager', 'loc-1', `Noisy corridor (${runId()})`);
  const baseURL = test.info().project.use.baseURL;
  const first = await signedIn(browser, baseURL);
  const second = await signedIn(browser, baseURL);
  for (const p of [first, second]) {
    await p.goto(`/complaints/${encodeURIComponent(complaintId)}`);
    await expect(caseStatus(p)).toHaveAttribute('data-status', 'received');
  }

  await actionButton(first, 'Acknowledge').click();
  await expect(caseStatus(first)).toHaveAttribute('data-status', 'acknowledged');

  await actionButton(second, 'Acknowledge').click();
  await expect(second.getByRole('alert').filter({ hasText: 'Someone else changed this case meanwhile' })).toBeVisible();
  await expect(caseStatus(second)).toHaveAttribute('data-status', 'acknowledged');
  await expect(actionButton(second, 'Acknowledge')).toHaveCount(0);

  await first.context().close();
  await second.context().close();
});
