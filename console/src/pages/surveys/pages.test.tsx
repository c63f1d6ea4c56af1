import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../i18n';
import { json, renderPage } from '../../test/render';
import SurveysArea from '.';
import type { Survey } from './model';

const locations = [
  { locationId: 'loc-1', name: 'Harbour Hotel', timeZone: 'Asia/Shanghai' },
  { locationId: 'loc-2', name: 'Garden Hotel', timeZone: 'Europe/London' },
];

const survey: Survey = {
  surveyId: 's-1',
  name: 'After your stay',
  title: { en: 'How was your stay?', 'zh-CN': '入住体验如何？' },
  version: 2,
  locationId: 'loc-1',
  anonymous: true,
  questions: [
    { id: 'nps', type: 'nps', text: { en: 'Recommend us?', 'zh-CN': '推荐我们吗？' }, required: true },
    { id: 'service', type: 'csat', text: { en: 'Service?', 'zh-CN': '服务？' }, dimension: 'service quality', required: false },
  ],
  dimensions: ['service quality'],
  loop: { detractor: true, lowCsat: true, callbackWithinHours: 8 },
  createdAt: '2026-12-06T07:42:00Z',
};

const area = (
  <Routes>
    <Route path="/surveys/*" element={<SurveysArea />} />
  </Routes>
);

const path = (req: Request) => new URL(req.url).pathname;

describe('surveys area', () => {
  afterEach(() => setLocale('en'));

  it('lists the surveys of the picked location, in the console language', async () => {
    setLocale('zh-CN');
    const { requests } = renderPage(area, {
      groups: ['agent'],
      locations: 'loc-1',
      path: '/surveys',
      fetch: (req) => {
        if (path(req) === '/v1/locations') return json(200, { items: locations });
        return json(200, {
          items: [
            { surveyId: 's-1', title: survey.title, name: survey.name, locationId: 'loc-1', version: 2, anonymous: true, questionCount: 2, createdAt: survey.createdAt },
            { surveyId: 's-2', title: { en: 'HQ', 'zh-CN': '总部' }, name: 'HQ', version: 1, anonymous: false, questionCount: 1, createdAt: survey.createdAt },
          ],
          nextCursor: null,
        });
      },
    });
    expect(await screen.findByText('入住体验如何？')).toBeTruthy();
    expect(screen.getByText('全部门店')).toBeTruthy();
    expect(screen.getByText('公开链接')).toBeTruthy();
    // An agent is not offered the builder.
    expect(screen.queryByRole('button', { name: /新建调查/ })).toBeNull();
    await waitFor(() => expect(requests.some((r) => r.url.endsWith('/v1/surveys?locationId=loc-1'))).toBe(true));
  });

  it('builds a survey with two question types in both languages and posts it', async () => {
    setLocale('en');
    let posted: unknown;
    renderPage(area, {
      groups: ['manager'],
      locations: 'loc-1',
      path: '/surveys/new',
      fetch: async (req) => {
        if (path(req) === '/v1/locations') return json(200, { items: locations });
        if (req.method === 'POST' && path(req) === '/v1/surveys') {
          posted = await req.json();
          return json(201, { ...survey, surveyId: 's-new', version: 1 });
        }
        return json(200, survey);
      },
    });
    const name = await screen.findByLabelText('Name (for staff)');
    act(() => fireEvent.change(name, { target: { value: 'Lobby survey' } }));
    const q1 = screen.getByRole('group', { name: 'Question 1' });
    act(() => fireEvent.change(within(q1).getByLabelText('Question in Chinese'), { target: { value: '您会推荐我们吗？' } }));
    act(() => fireEvent.change(within(q1).getByLabelText('Question in English'), { target: { value: 'Would you recommend us?' } }));
    // The next type offered is CSAT.
    act(() => fireEvent.click(screen.getByRole('button', { name: /Add question/ })));
    const q2 = await screen.findByRole('group', { name: 'Question 2' });
    act(() => fireEvent.change(within(q2).getByLabelText('Question in Chinese'), { target: { value: '您对服务满意吗？' } }));
    act(() => fireEvent.change(within(q2).getByLabelText('Question in English'), { target: { value: 'Were you happy with our service?' } }));
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Create survey' })));
    await waitFor(() => expect(posted).toBeDefined());
    expect(posted).toMatchObject({
      name: 'Lobby survey',
      locationId: 'loc-1',
      questions: [
        { id: 'q1', type: 'nps', text: { en: 'Would you recommend us?', 'zh-CN': '您会推荐我们吗？' }, required: true },
        { id: 'q2', type: 'csat', text: { en: 'Were you happy with our service?', 'zh-CN': '您对服务满意吗？' }, required: false },
      ],
      loop: { detractor: true, lowCsat: true, callbackWithinHours: 8 },
    });
    // Saved: the survey's page shows it.
    expect(await screen.findByRole('heading', { name: 'How was your stay?' })).toBeTruthy();
  });

  it('refuses to send a question without its Chinese text', async () => {
    setLocale('en');
    const { requests } = renderPage(area, {
      groups: ['manager'],
      locations: 'loc-1',
      path: '/surveys/new',
      fetch: (req) => (path(req) === '/v1/locations' ? json(200, { items: locations }) : json(500, {})),
    });
    const name = await screen.findByLabelText('Name (for staff)');
    act(() => fireEvent.change(name, { target: { value: 'x' } }));
    act(() => fireEvent.change(screen.getByLabelText('Question in English'), { target: { value: 'Recommend?' } }));
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Create survey' })));
    expect(await screen.findByText('Write the question in this language.')).toBeTruthy();
    expect(requests.some((r) => r.method === 'POST')).toBe(false);
  });

  it('edits with the version it read and says a 409 in words, offering the current version', async () => {
    setLocale('en');
    const puts: unknown[] = [];
    let reads = 0;
    renderPage(area, {
      groups: ['manager'],
      locations: 'loc-1',
      path: '/surveys/s-1/edit',
      fetch: async (req) => {
        if (path(req) === '/v1/locations') return json(200, { items: locations });
        if (req.method === 'PUT') {
          puts.push(await req.json());
          return json(409, { type: 'about:blank', title: 'Conflict', status: 409, detail: 'the survey is at version 3; edit that version' });
        }
        reads++;
        return json(200, reads === 1 ? survey : { ...survey, version: 3, name: 'Edited elsewhere' });
      },
    });
    expect(await screen.findByText(/You are editing version 2/)).toBeTruthy();
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Save as a new version' })));
    expect(await screen.findByText('This was already done, or it changed meanwhile')).toBeTruthy();
    expect(puts[0]).toMatchObject({ version: 2, name: 'After your stay' });
    act(() => fireEvent.click(screen.getByRole('button', { name: /Load the current version/ })));
    expect(await screen.findByText(/You are editing version 3/)).toBeTruthy();
    expect((screen.getByLabelText('Name (for staff)') as HTMLInputElement).value).toBe('Edited elsewhere');
  });

  it('shows the results: responses, the NPS in the gauge, and comments by score', async () => {
    setLocale('en');
    const csv =
      'responseId,submittedAt,surveyVersion,locationId,customerId,q:nps,q:service,nps,csat,comment\n' +
      'r1,2026-12-06T02:00:00Z,2,loc-1,,10,5,10,5,Lovely view\n' +
      'r2,2026-12-06T03:00:00Z,2,loc-1,,3,2,3,2,Cold room\n';
    const { requests } = renderPage(area, {
      groups: ['manager'],
      locations: 'loc-1',
      path: '/surveys/s-1/results?from=2026-12-01&to=2026-12-06',
      fetch: (req) => {
        const p = path(req);
        if (p === '/v1/locations') return json(200, { items: locations });
        if (p.endsWith('/responses.csv')) return new Response(csv, { status: 200, headers: { 'Content-Type': 'text/csv' } });
        if (p.endsWith('/results')) {
          return json(200, {
            responses: 3,
            nps: 33.3,
            npsDetail: { count: 3, promoters: 2, passives: 0, detractors: 1 },
            csat: 50,
            csatCount: 2,
            dimensions: { 'service quality': { mean: 3.5, count: 2 } },
            distribution: { nps: { '10': 1, '9': 1, '3': 1 }, service: { '5': 1, '2': 1 } },
          });
        }
        return json(200, survey);
      },
    });
    expect((await screen.findByTestId('results-responses')).textContent).toBe('3');
    expect(screen.getByTestId('results-nps').textContent).toBe('33.3');
    expect(screen.getByTestId('results-csat').textContent).toBe('50%');
    await waitFor(() => expect(screen.getByRole('img', { name: 'NPS gauge: 33.3' }).textContent).toContain('33.3'));
    expect(await screen.findByText('Lovely view')).toBeTruthy();
    act(() => fireEvent.click(screen.getByText('Detractors', { selector: '.ant-segmented-item-label' })));
    expect(screen.queryByText('Lovely view')).toBeNull();
    expect(screen.getByText('Cold room')).toBeTruthy();
    const results = requests.filter((r) => path(r).endsWith('/results')).map((r) => new URL(r.url).searchParams.toString());
    // The whole period, then one query a day of it for the trend, at the person's only location.
    expect(results).toContain('from=2026-12-01&to=2026-12-06&locationId=loc-1');
    expect(results).toContain('from=2026-12-06&to=2026-12-06&locationId=loc-1');
    expect(requests.every((r) => r.headers.get('Authorization') === 'Bearer test-id-token')).toBe(true);
  });

  it('says a refusal of the results in words', async () => {
    setLocale('en');
    renderPage(area, {
      groups: ['agent'],
      locations: 'loc-1',
      path: '/surveys/s-9/results',
      fetch: (req) =>
        path(req) === '/v1/locations' ? json(200, { items: locations }) : json(404, { type: 'about:blank', title: 'Not Found', status: 404, detail: 'no such survey' }),
    });
    expect((await screen.findAllByText('Not found')).length).toBeGreaterThan(0);
    // Comments come with the export, which an agent may not take.
    expect(screen.queryByRole('button', { name: /Export/ })).toBeNull();
  });

  it('invites a customer to a survey answered by invitation, and shows the link', async () => {
    setLocale('en');
    let body: unknown;
    renderPage(area, {
      groups: ['agent'],
      locations: 'loc-1',
      path: '/surveys/s-1',
      fetch: async (req) => {
        if (path(req) === '/v1/locations') return json(200, { items: locations });
        if (req.method === 'POST' && path(req) === '/v1/surveys/s-1/invitations') {
          body = await req.json();
          return json(201, { token: 'tok', url: 'https://api.test/v1/s/tok', expiresAt: '2026-12-20T08:00:00Z', kind: 'invitation' });
        }
        return json(200, { ...survey, anonymous: false });
      },
    });
    const customer = await screen.findByLabelText('Customer id');
    // An agent may invite but not edit, nor open public links.
    expect(screen.queryByRole('button', { name: /Edit/ })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Create public link' })).toBeNull();
    act(() => fireEvent.change(customer, { target: { value: ' c-42 ' } }));
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Create invitation' })));
    expect(await screen.findByText('https://api.test/v1/s/tok')).toBeTruthy();
    expect(body).toEqual({ customerId: 'c-42', locationId: 'loc-1', expiresInHours: 336 });
    // Valid until, in the location's zone (Shanghai: UTC+8).
    expect(screen.getByText('Dec 20, 2026, 16:00')).toBeTruthy();
  });
});
