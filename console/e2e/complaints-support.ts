/**
 * Helpers of the complaints, Today and access specs: a case entered through the API,
 * a customer to link, and the console's sizes for screenshots.
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { api, shot, type TokenUser } from './harness';

export interface Receipt {
  complaintId: string;
  reference: string;
}

/** A unique tail for this run's names and numbers: specs share one stack. */
export function runId(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

/** A case entered through the API by a user (staff intake at one of their locations). */
export async function enterComplaint(
  request: APIRequestContext,
  user: TokenUser,
  locationId: string,
  description: string,
): Promise<Receipt> {
  return api<Receipt>(request, user, 'POST', '/v1/complaints/intake', {
    channel: 'phone',
    category: 'billing',
    severity: 'normal',
    description,
    locationId,
    contact: { name: 'E2E Guest', locale: 'en' },
  });
}

/** A customer at loc-1 with a phone of its own, to find and link from intake. */
export async function makeCustomer(request: APIRequestContext, name: string, phone: string): Promise<{ customerId: string }> {
  return api<{ customerId: string }>(request, 'manager', 'POST', '/v1/customers', { name, phone, locationId: 'loc-1' });
}

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** Screenshots of what the page shows at phone and desktop sizes, the desktop size last. */
export async function shots(page: Page, name: string): Promise<void> {
  await page.setViewportSize(PHONE);
  await expect(page.locator('h1')).toBeVisible();
  await shot(page, `${name}-390`);
  await page.setViewportSize(DESKTOP);
  await expect(page.locator('h1')).toBeVisible();
  await shot(page, `${name}-1280`);
}

/** The status a case page shows (data-status of its status cell). */
export function caseStatus(page: Page) {
  return page.getByTestId('case-status');
}

/** The case page's button of an action. */
export function actionButton(page: Page, name: string) {
  return page.getByRole('group', { name: 'Actions' }).getByRole('button', { name, exact: true });
}
