/**
 * Helpers of the settings and segments specs: signing in and opening a page in one go,
 * and screenshots of a page at phone and desktop sizes.
 */
import { expect, type Page } from '@playwright/test';
import { shot, signIn } from './harness';

/** Signs in as role (on the issuer's page the console sends to) and opens path. */
export async function openAs(page: Page, role: 'agent' | 'manager' | 'admin', locations: string[], path: string): Promise<void> {
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

/** Waits until the page has its data: no request in flight and no spinner left. */
export async function settled(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
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
