/**
 * What the console's end-to-end specs get from the Go harness that runs them
 * (infra/local/console_browser_test.go, in make test): the stack's URL is Playwright's
 * baseURL (RAPPORT_CONSOLE_URL), API tokens of the demo users for seeding
 * (RAPPORT_TOKENS), and a folder for screenshots (RAPPORT_SCREENSHOTS).
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { join } from 'node:path';

/**
 * The users RAPPORT_TOKENS holds a token for: agent and manager at loc-1, admin at
 * all locations (the banner's front desk, branch manager and head office), agent and
 * manager at loc-2, and the machine client (system, all locations).
 */
export type TokenUser = 'agent' | 'manager' | 'admin' | 'system' | 'agent@loc-2' | 'manager@loc-2';

/** A demo user's bearer token (an ID token for people, as the console sends). */
export function token(user: TokenUser): string {
  const raw = process.env.RAPPORT_TOKENS;
  if (!raw) {
    throw new Error('RAPPORT_TOKENS is not set: the specs run from make test (go test -C infra ./local -run TestConsoleInBrowser)');
  }
  const t = (JSON.parse(raw) as Record<string, string>)[user];
  if (!t) throw new Error(`RAPPORT_TOKENS has no token for ${user}`);
  return t;
}

/**
 * Calls the API as a demo user, to seed or to check what the console did; fails the
 * test unless the answer is 2xx, and returns the JSON body (undefined when empty).
 */
export async function api<T = unknown>(
  request: APIRequestContext,
  user: TokenUser,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const res = await request.fetch(path, {
    method,
    headers: { Authorization: `Bearer ${token(user)}`, ...headers },
    ...(body === undefined ? {} : { data: body }),
  });
  const text = await res.text();
  expect(res.ok(), `${method} ${path} as ${user}: ${res.status()} ${text}`).toBe(true);
  return (text ? JSON.parse(text) : undefined) as T;
}

/**
 * Signs in on the local issuer's page, where the console sends a person who has not
 * signed in: picks the role and ticks the locations ('*' is "all locations", for an
 * admin only; loc-1 and loc-2 are registered, so they have boxes).
 */
export async function signIn(page: Page, role: 'agent' | 'manager' | 'admin', locations: string[]): Promise<void> {
  await expect(page).toHaveURL(/\/dev\/issuer\/oauth2\/authorize\?/);
  await page.locator(`label[for="role-${role}"]`).click();
  for (const l of locations) {
    await page.locator(l === '*' ? 'label[for="loc-all"]' : `label[for="loc-${l}"]`).click();
  }
  await page.locator('button[type="submit"]').click();
}

/** Saves a full-page screenshot as <name>.png in RAPPORT_SCREENSHOTS, when it is set. */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = process.env.RAPPORT_SCREENSHOTS;
  if (dir) await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
