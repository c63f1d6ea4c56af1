/**
 * Helpers of the surveys spec: a survey of this run's own, its public link, and
 * answers sent through the hosted form (/v1/s/{token}) as a guest's browser sends them.
 */
import { expect, type APIRequestContext, type Page } from '@playwright/test';
import { api, shot } from './harness';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 800 };

/** A unique tail for this run's names: specs share one stack. */
export function runId(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

export interface SurveyRef {
  surveyId: string;
  version: number;
}

/**
 * An anonymous survey at loc-1 (NPS and CSAT, both languages) defined by the loc-1
 * manager through the API, its closed loop off so that its detractors alert no one.
 */
export async function defineSurvey(request: APIRequestContext, name: string): Promise<SurveyRef> {
  return api<SurveyRef>(request, 'manager', 'POST', '/v1/surveys', {
    name,
    title: { en: `Your stay (${name})`, 'zh-CN': `入住体验（${name}）` },
    locationId: 'loc-1',
    anonymous: true,
    questions: [
      { id: 'rec', type: 'nps', required: true, text: { en: 'Would you recommend us?', 'zh-CN': '您会推荐我们吗？' } },
      { id: 'svc', type: 'csat', dimension: 'service quality', text: { en: 'How was our service?', 'zh-CN': '您对服务满意吗？' } },
    ],
    loop: { off: true },
  });
}

/** A public link of the survey at loc-1: the hosted form's path. */
export async function openLink(request: APIRequestContext, surveyId: string): Promise<string> {
  const issued = await api<{ url: string }>(request, 'manager', 'POST', `/v1/surveys/${encodeURIComponent(surveyId)}/links`, { locationId: 'loc-1' });
  return new URL(issued.url).pathname;
}

/** Answers the hosted form in the browser: the NPS score, optionally a CSAT score and a comment. */
export async function answer(page: Page, formPath: string, nps: number, csat?: number, comment?: string): Promise<void> {
  await page.goto(formPath);
  await page.locator(`label[for="q-rec-${nps}"]`).click();
  if (csat !== undefined) await page.locator(`label[for="q-svc-${csat}"]`).click();
  if (comment) await page.locator('#comment').fill(comment);
  await page.locator('button[type="submit"]').click();
  await expect(page).toHaveURL(/[?&]done=1/);
}

/** Screenshots of what the page shows at phone and desktop sizes, the desktop size last. */
export async function shots(page: Page, name: string, ready: () => Promise<void>): Promise<void> {
  await page.setViewportSize(PHONE);
  await ready();
  await shot(page, `${name}-390`);
  await page.setViewportSize(DESKTOP);
  await ready();
  await shot(page, `${name}-1280`);
}
