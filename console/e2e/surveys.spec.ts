import { expect, test } from '@playwright/test';
import { api, signIn } from './harness';
import { DESKTOP, PHONE, answer, defineSurvey, openLink, runId, shots } from './surveys-support';

// Responses sent through the hosted form — a 10, a 9 and a 3 — show on the survey's
// results page: 3 responses and their NPS, (2 promoters − 1 detractor) / 3 = 33.3,
// read from the rendered page and from the gauge itself; the comments filter by score.
test('hosted-form responses appear in the results charts', async ({ page, request }) => {
  const run = runId();
  const { surveyId } = await defineSurvey(request, `e2e results ${run}`);
  const form = await openLink(request, surveyId);
  await answer(page, form, 10, 5, `Lovely view ${run}`);
  await answer(page, form, 9, 4);
  await answer(page, form, 3, 2, `Cold room ${run}`);

  await page.setViewportSize(DESKTOP);
  await page.goto(`/surveys/${encodeURIComponent(surveyId)}/results`);
  await signIn(page, 'manager', ['loc-1']);
  await expect(page.getByRole('heading', { level: 1, name: 'Survey results' })).toBeVisible();
  await expect(page.getByTestId('results-responses')).toHaveText('3');
  await expect(page.getByTestId('results-nps')).toHaveText('33.3');
  const gauge = page.getByRole('img', { name: 'NPS gauge: 33.3' });
  await expect(gauge).toBeVisible();
  await expect(gauge.locator('svg')).toContainText('33.3');
  await expect(page.getByTestId('results-csat')).toHaveText('66.7%');

  await expect(page.getByText(`Lovely view ${run}`)).toBeVisible();
  await page.getByRole('radiogroup', { name: 'Show comments of' }).getByText('Detractors').click();
  await expect(page.getByText(`Cold room ${run}`)).toBeVisible();
  await expect(page.getByText(`Lovely view ${run}`)).toHaveCount(0);
  await page.getByRole('radiogroup', { name: 'Show comments of' }).getByText('All').click();

  // The export is fetched with the bearer token and saved as a file.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: /Export responses/ }).click();
  expect((await download).suggestedFilename()).toMatch(new RegExp(`^${surveyId}-responses-\\d{4}-\\d{2}-\\d{2}-to-\\d{4}-\\d{2}-\\d{2}\\.csv$`));

  await shots(page, 'surveys-results', async () => {
    await expect(page.getByTestId('results-nps')).toHaveText('33.3');
    await expect(gauge.locator('svg')).toContainText('33.3');
  });

  // The same page in Chinese: the numbers are the same, the words translated.
  await page.getByRole('radiogroup', { name: 'Language' }).getByText('中文').click();
  await expect(page.getByRole('heading', { level: 1, name: '调查结果' })).toBeVisible();
  await expect(page.getByTestId('results-nps')).toHaveText('33.3');
  await page.getByRole('radiogroup', { name: '语言' }).getByText('English').click();
});

// A manager builds a survey with two question types, each in Chinese and English, and
// saves it: the survey's page shows it and the API holds what was typed.
test('a manager builds a bilingual survey with two question types and saves it', async ({ page, request }) => {
  const run = runId();
  const name = `e2e builder ${run}`;
  await page.setViewportSize(DESKTOP);
  await page.goto('/surveys/new');
  await signIn(page, 'manager', ['loc-1']);
  await expect(page.getByRole('heading', { level: 1, name: 'New survey' })).toBeVisible();

  await page.getByLabel('Name (for staff)').fill(name);
  await page.getByLabel('Title in Chinese').fill(`前台服务（${run}）`);
  await page.getByLabel('Title in English').fill(`Front desk (${run})`);
  const q1 = page.getByRole('group', { name: 'Question 1' });
  await q1.getByLabel('Question in Chinese').fill('您会向朋友推荐我们吗？');
  await q1.getByLabel('Question in English').fill('Would you recommend us to a friend?');

  await page.getByLabel('Type of the question to add').click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: 'Free text' }).click();
  await page.getByRole('button', { name: /Add question/ }).click();
  const q2 = page.getByRole('group', { name: 'Question 2' });
  await q2.getByLabel('Question in Chinese').fill('还有什么想告诉我们的？');
  await q2.getByLabel('Question in English').fill('Anything else you would like to tell us?');
  await shots(page, 'surveys-builder', async () => {
    await expect(q2.getByLabel('Question in English')).toBeVisible();
  });

  await page.getByRole('button', { name: 'Create survey' }).click();
  await expect(page.getByRole('heading', { level: 2, name: `Front desk (${run})` })).toBeVisible();
  const surveyId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
  const saved = await api<{ version: number; locationId: string; questions: { type: string; text: Record<string, string> }[] }>(
    request,
    'manager',
    'GET',
    `/v1/surveys/${encodeURIComponent(surveyId)}`,
  );
  expect(saved.version).toBe(1);
  expect(saved.locationId).toBe('loc-1');
  expect(saved.questions.map((q) => q.type)).toEqual(['nps', 'text']);
  expect(saved.questions[1]?.text).toEqual({ en: 'Anything else you would like to tell us?', 'zh-CN': '还有什么想告诉我们的？' });

  // An edit of a stale version is refused in words (409), not lost silently.
  await page.getByRole('button', { name: /Edit/ }).click();
  await expect(page.getByText(/You are editing version 1/)).toBeVisible();
  await api(request, 'manager', 'PUT', `/v1/surveys/${encodeURIComponent(surveyId)}`, {
    name: `${name} (edited elsewhere)`,
    locationId: 'loc-1',
    questions: saved.questions.map((q, i) => ({ id: `q${i + 1}`, type: q.type, text: q.text })),
    version: 1,
  });
  await page.getByRole('button', { name: 'Save as a new version' }).click();
  await expect(page.getByText('This was already done, or it changed meanwhile')).toBeVisible();
  await page.getByRole('button', { name: /Load the current version/ }).click();
  await expect(page.getByText(/You are editing version 2/)).toBeVisible();
  await expect(page.getByLabel('Name (for staff)')).toHaveValue(`${name} (edited elsewhere)`);
});

// The list shows the survey; its page opens a public link with a QR code and the
// printable poster, bilingual, with the location's name; printing leaves out the frame.
test('the survey list, a public link and its QR poster', async ({ page, request }) => {
  const run = runId();
  const name = `e2e poster ${run}`;
  await defineSurvey(request, name);

  await page.setViewportSize(DESKTOP);
  await page.goto('/surveys');
  await signIn(page, 'manager', ['loc-1']);
  await expect(page.getByRole('heading', { level: 1, name: 'Surveys' })).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: `Your stay (${name})` });
  await expect(row).toBeVisible();
  await shots(page, 'surveys-list', async () => {
    await expect(page.getByRole('link', { name: `Your stay (${name})`, exact: true })).toBeVisible();
  });

  await page.getByRole('link', { name: `Your stay (${name})`, exact: true }).click();
  await expect(page.getByRole('heading', { level: 2, name: `Your stay (${name})` })).toBeVisible();
  await page.getByRole('button', { name: 'Create public link' }).click();
  await expect(page.getByText('Public link created:')).toBeVisible();
  await page.getByRole('button', { name: /Printable QR poster/ }).click();

  await expect(page.getByRole('heading', { level: 1, name: 'QR poster' })).toBeVisible();
  const poster = page.getByRole('article', { name: 'QR poster' });
  await expect(poster.getByTestId('poster-location')).toHaveText('Harbour Hotel');
  await expect(poster).toContainText(`入住体验（${name}）`);
  await expect(poster).toContainText(`Your stay (${name})`);
  await expect(poster).toContainText('扫码告诉我们您的体验');
  await expect(poster).toContainText('Scan to tell us how we did');
  await expect(poster.getByLabel('QR code of the survey link')).toBeVisible();
  const link = new URL((await poster.locator('.ant-typography').last().textContent()) ?? '');
  expect(link.pathname).toMatch(/^\/v1\/s\/[^/]+$/);
  await shots(page, 'surveys-poster', async () => {
    await expect(poster.getByTestId('poster-location')).toBeVisible();
  });

  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.ant-layout-header')).toBeHidden();
  await expect(page.getByRole('button', { name: /Print/ })).toBeHidden();
  await expect(poster).toBeVisible();
  await page.setViewportSize(PHONE);
  await page.emulateMedia({ media: 'screen' });

  // The link the poster prints opens the hosted form.
  await page.goto(link.pathname);
  await expect(page.locator('label[for="q-rec-10"]')).toBeVisible();
});
