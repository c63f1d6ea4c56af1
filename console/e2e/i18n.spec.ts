import { expect, test, type Page } from '@playwright/test';
import { api } from './harness';
import { openAs, settled } from './settings-support';

/**
 * The language test: head office visits every page of the console, switches to
 * Chinese and then to English with the header's switch, and on each page reads every
 * visible text node. Data (names, ids, codes a person typed or the API holds) is
 * skipped where the page marks it translate="no", and so is text marked as being in
 * another language (lang: the switch names each language in itself, the API's own
 * English details). What is left must be in the chosen language: in Chinese no Latin
 * word of three letters or more except the short list below; in English no Chinese
 * character or full-width punctuation.
 *
 * The data seeded for the detail pages mixes Chinese and Latin words on purpose, so
 * that a data value a page forgets to mark fails in either language.
 */

/**
 * Latin words a Chinese page may show: the product's name, and abbreviations Chinese
 * staff use as they are (survey scores, service levels, value scoring, QR codes,
 * exports, web addresses).
 */
const ALLOWED_IN_CHINESE = ['Rapport', 'NPS', 'CSAT', 'SLA', 'RFM', 'ABC', 'QR', 'CSV', 'URL'];

type Lang = 'zh-CN' | 'en';

/** The visible texts of the page in the wrong language, each with where it is. */
async function untranslated(page: Page, locale: Lang): Promise<string[]> {
  return page.evaluate(
    ({ locale, allowed }) => {
      const out: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const text = (n.nodeValue ?? '').replace(/\s+/g, ' ').trim();
        const el = n.parentElement;
        if (!text || !el || el.closest('script, style, noscript, [translate="no"]')) continue;
        const marked = el.closest('[lang]');
        if (marked && marked !== document.documentElement && marked.getAttribute('lang') !== locale) continue;
        // Both spellings of the options: Chromium's newer names and the first ones.
        const seen = { checkOpacity: true, checkVisibilityCSS: true, opacityProperty: true, visibilityProperty: true } as CheckVisibilityOptions;
        if (!el.checkVisibility(seen)) continue;
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0) continue;
        let bad: string[];
        if (locale === 'zh-CN') {
          bad = (text.match(/[A-Za-z]{3,}/g) ?? []).filter((w) => !allowed.includes(w));
        } else {
          bad = text.match(/[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+/g) ?? [];
        }
        if (bad.length > 0) {
          const where = el.closest('h1, h2, h3, label, th, button, [role="alert"], .ant-card, nav, header');
          const context = where && where !== el ? ` (in ${where.tagName.toLowerCase()}: "${(where.textContent ?? '').trim().slice(0, 60)}")` : '';
          out.push(`"${text.slice(0, 120)}"${context}`);
        }
      }
      return [...new Set(out)];
    },
    { locale, allowed: ALLOWED_IN_CHINESE },
  );
}

/** Switches the language with the header's switch and waits for the page to redraw. */
async function switchTo(page: Page, locale: Lang): Promise<void> {
  await page.locator('header .ant-segmented-item').filter({ hasText: locale === 'zh-CN' ? '中文' : 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', locale);
  await settled(page);
}

/** The records the detail pages show, made through the API for this run. */
async function seed(request: Parameters<typeof api>[0]) {
  const tail = Date.now().toString(36);
  const customer = await api<{ customerId: string }>(request, 'manager', 'POST', '/v1/customers', {
    customerId: `c-i18n-${tail}`,
    name: `李雷 Leo Lee ${tail}`,
    email: `i18n-${tail}@example.com`,
    locationId: 'loc-1',
    tags: ['常客', 'regular-guest'],
  });
  const complaint = await api<{ complaintId: string }>(request, 'agent', 'POST', '/v1/complaints/intake', {
    channel: 'phone',
    category: 'billing',
    severity: 'normal',
    description: `账单重复收费 Billed twice ${tail}`,
    locationId: 'loc-1',
    contact: { name: '韩梅梅 Mei Han', locale: 'zh-CN' },
  });
  const segment = await api<{ segmentId: string }>(request, 'manager', 'POST', '/v1/segments', {
    name: `常客 Regulars ${tail}`,
    filter: { locationId: 'loc-1', tags: ['常客'] },
  });
  // A voucher given by hand, with a reason in both languages.
  const voucher = await api<{ code: string }>(request, 'manager', 'POST', '/v1/vouchers', {
    customerId: customer.customerId,
    value: { percentOff: 10 },
    locationIds: ['loc-1'],
    validDays: 30,
    reason: `房间延误 Late room ${tail}`,
    locationId: 'loc-1',
  });
  return { customer, complaint, segment, voucher };
}

test('every page speaks the chosen language, Chinese and English', async ({ page, request }) => {
  test.setTimeout(10 * 60_000);
  const { customer, complaint, segment, voucher } = await seed(request);
  // Every route of src/App.tsx's areas (src/areas.tsx) and of each area's own routes.
  const routes = [
    '/',
    '/complaints',
    '/complaints/new',
    `/complaints/${encodeURIComponent(complaint.complaintId)}`,
    '/surveys',
    '/surveys/new',
    '/surveys/demo-stay',
    '/surveys/demo-stay/edit',
    '/surveys/demo-stay/results',
    '/surveys/demo-stay/poster',
    '/customers',
    `/customers/${encodeURIComponent(customer.customerId)}`,
    '/counter',
    '/vouchers',
    `/vouchers?code=${encodeURIComponent(voucher.code)}`,
    '/vouchers/report',
    '/followups',
    '/team',
    '/segments',
    '/segments/new',
    `/segments/${encodeURIComponent(segment.segmentId)}`,
    '/rewards',
    '/rewards/new',
    '/settings',
    '/settings/locations/new',
    '/settings/locations/loc-1',
    '/settings/complaints',
    '/settings/loyalty',
    '/settings/value',
    '/no-such-page',
  ];

  await page.setViewportSize({ width: 1280, height: 800 });
  await openAs(page, 'admin', ['*'], '/');
  // A new area in the menu must be added above.
  const menu = await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  expect(menu.length).toBeGreaterThan(0);
  for (const href of menu) expect(routes, `the menu's ${href} is not visited`).toContain(href);

  const failures: string[] = [];
  for (const route of routes) {
    await page.goto(route);
    await settled(page);
    // A page that could not be shown would pass trivially: each must show its content.
    if (route !== '/no-such-page') {
      await expect(page.getByRole('alert').filter({ hasText: /Not found|There is no page here|Your role may not do this|未找到|此处没有页面|无权/ }), route).toHaveCount(0);
    }
    for (const locale of ['zh-CN', 'en'] as const) {
      await switchTo(page, locale);
      for (const s of await untranslated(page, locale)) failures.push(`${route} [${locale}] ${s}`);
    }
  }
  // With one location picked, its name shows in the header: data, like any other.
  await page.goto('/segments');
  await settled(page);
  await page.getByRole('button', { name: /^(Location|门店)[:：]/ }).click();
  await page.getByRole('menuitem', { name: 'Harbour Hotel' }).click();
  await settled(page);
  for (const locale of ['zh-CN', 'en'] as const) {
    await switchTo(page, locale);
    for (const s of await untranslated(page, locale)) failures.push(`/segments at loc-1 [${locale}] ${s}`);
  }
  expect(failures, `untranslated text:\n${failures.join('\n')}`).toEqual([]);
});
