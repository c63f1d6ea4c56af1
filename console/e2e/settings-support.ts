/**
 * Helpers of the settings and segments specs: signing in and opening a page in one go,
 * and screenshots of a page at phone and desktop sizes.
 */
import { expect, type Page, type Request } from '@playwright/test';
import { shot, signIn } from './harness';

/** Signs in as role (on the issuer's page the console sends to) and opens path. */
export async function openAs(page: Page, role: 'agent' | 'manager' | 'admin', locations: string[], path: string): Promise<void> {
  track(page);
  await page.goto('/');
  await signIn(page, role, locations);
  await expect(page.locator('main').first()).toBeVisible();
  // Leaving a page with requests in flight cancels them, and the stack answers those
  // 503 (which its contract check refuses): let the landing page finish first.
  await settled(page);
  if (path === '/') return;
  // The token is kept in this tab's sessionStorage: a reload keeps the sign-in.
  await page.goto(path);
  await settled(page);
}

const inFlight = new WeakMap<Page, Set<Request>>();

/** Counts the page's API requests in flight (from the first call on). */
function track(page: Page): Set<Request> {
  let open = inFlight.get(page);
  if (!open) {
    const set = new Set<Request>();
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/v1/')) set.add(r);
    });
    page.on('requestfinished', (r) => set.delete(r));
    page.on('requestfailed', (r) => set.delete(r));
    inFlight.set(page, set);
    open = set;
  }
  return open;
}

/**
 * Waits until the page has its data: no API request in flight for half a second and no
 * spinner left. (The load state "networkidle" is reached once per document, so it
 * says nothing of the requests a single-page app makes later.)
 */
export async function settled(page: Page): Promise<void> {
  const open = track(page);
  await page.waitForLoadState('load');
  const deadline = Date.now() + 20_000;
  let quietSince = Date.now();
  while (Date.now() - quietSince < 500) {
    if (Date.now() > deadline) throw new Error(`requests still in flight: ${[...open].map((r) => r.url()).join(', ')}`);
    await page.waitForTimeout(100);
    if (open.size > 0) quietSince = Date.now();
  }
  await expect(page.locator('.ant-spin-spinning, .ant-skeleton-active')).toHaveCount(0);
}

/** Screenshots of the page as it is, at 390×844 (phone) and 1280×800 (desktop). */
export async function shotsAtBothSizes(page: Page, name: string): Promise<void> {
  const before = page.viewportSize();
  for (const [w, h, size] of [
    [390, 844, 'phone'],
    [1280, 800, 'desktop'],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await settled(page);
    await shot(page, `${name}-${size}`);
  }
  if (before) await page.setViewportSize(before);
}
