/**
 * Helpers of the customers, counter and follow-ups specs: a customer of this run seeded
 * through the API, signing in and opening a page, and screenshots at phone and desktop
 * sizes.
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { api, shot, signIn } from './harness';

export interface Seeded {
  customerId: string;
  name: string;
  /** The phone as stored (E.164, +86…). */
  phone: string;
  /** The same phone as the front desk types it: 11 national digits, spaced. */
  typed: string;
  email: string;
}

/**
 * A customer at loc-1 with a phone and an email of their own for this run (every spec
 * shares one stack), made by the loc-1 manager.
 */
export async function seedCustomer(request: APIRequestContext, prefix: string, name: string): Promise<Seeded> {
  // Eight digits from the clock: a mainland mobile number no other spec or run uses.
  const digits = String(Date.now() % 100_000_000).padStart(8, '0');
  const national = `139${digits}`;
  const seeded = {
    customerId: `c-${prefix}-${digits}`,
    name: `${name} ${digits}`,
    phone: `+86${national}`,
    typed: `${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`,
    email: `${prefix}-${digits}@example.com`,
  };
  await api(request, 'manager', 'POST', '/v1/customers', {
    customerId: seeded.customerId,
    name: seeded.name,
    phone: seeded.phone,
    email: seeded.email,
    locale: 'en',
    locationId: 'loc-1',
  });
  return seeded;
}

/** Signs in as role at loc-1 from path: the console comes back to path after the issuer. */
export async function openAt(page: Page, role: 'agent' | 'manager', path: string): Promise<void> {
  await page.goto(path);
  await signIn(page, role, ['loc-1']);
  await expect(page).toHaveURL(new RegExp(`${path.replace(/[?]/g, '\\?')}$`));
  await settledPage(page);
}

/** Waits until the page has its data: nothing in flight, no spinner left. */
export async function settledPage(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
  await expect(page.locator('.ant-spin-spinning')).toHaveCount(0);
}

/** Screenshots at 390×844 (phone) and 1280×800 (desktop), then back to the size before. */
export async function shotsAt(page: Page, name: string): Promise<void> {
  const before = page.viewportSize();
  for (const [width, height, size] of [
    [390, 844, 'phone'],
    [1280, 800, 'desktop'],
  ] as const) {
    await page.setViewportSize({ width, height });
    await settledPage(page);
    await shot(page, `${name}-${size}`);
  }
  if (before) await page.setViewportSize(before);
}
