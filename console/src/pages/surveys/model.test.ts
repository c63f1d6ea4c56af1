import { describe, expect, it } from 'vitest';
import {
  commentsOf,
  definitionOf,
  distributionOf,
  emptyForm,
  filterComments,
  formFieldOf,
  formIssues,
  formOf,
  newQuestion,
  nextQuestionId,
  parseCsv,
  titleOf,
  trendPeriods,
  type BuilderForm,
  type Survey,
} from './model';
import { posterLink, posterPath } from './poster';

const stored: Survey = {
  surveyId: 's-1',
  name: 'After your stay',
  title: { en: 'How was your stay?', 'zh-CN': '入住体验如何？' },
  version: 3,
  locationId: 'loc-1',
  anonymous: true,
  questions: [
    { id: 'nps', type: 'nps', text: { en: 'Recommend us?', 'zh-CN': '推荐我们吗？' }, required: true },
    { id: 'clean', type: 'likert5', text: { en: 'Clean?', 'zh-CN': '干净吗？' }, dimension: 'cleanliness', required: false },
    { id: 'why', type: 'choice', text: { en: 'Why?' }, options: ['Price', 'View'], multiple: true, required: false },
  ],
  dimensions: ['cleanliness', 'service quality'],
  loop: {
    detractor: true,
    lowCsat: false,
    callbackWithinHours: 4,
    keywords: ['dirty'],
    dimensionAtOrBelow: { cleanliness: 2 },
    // timeZone and quietHours are set through the API; the builder does not show them.
    notify: { channel: 'email', address: 'desk@loc-1.example', locale: 'en', timeZone: 'Asia/Shanghai', quietHours: '00:00-00:00' } as never,
  },
};

describe('the builder form and the definition it sends', () => {
  it('starts a new survey with an NPS question and the default loop', () => {
    const f = emptyForm('loc-1');
    expect(f.questions).toHaveLength(1);
    expect(f.questions[0]).toMatchObject({ id: 'q1', type: 'nps', required: true });
    const d = definitionOf({ ...f, name: ' Lobby ', questions: [{ ...f.questions[0]!, textEn: 'Recommend?', textZh: '推荐？' }] });
    expect(d).toEqual({
      name: 'Lobby',
      anonymous: false,
      dimensions: ['product quality', 'service quality', 'waiting/delivery time', 'value for money', 'cleanliness'],
      locationId: 'loc-1',
      questions: [{ id: 'q1', type: 'nps', text: { en: 'Recommend?', 'zh-CN': '推荐？' }, required: true }],
      loop: { detractor: true, lowCsat: true, callbackWithinHours: 8 },
    });
    expect('version' in d).toBe(false);
  });

  it('round-trips a stored survey, with its version, keeping contact settings it does not show', () => {
    const d = definitionOf(formOf(stored), stored);
    expect(d.version).toBe(3);
    expect(d.title).toEqual({ en: 'How was your stay?', 'zh-CN': '入住体验如何？' });
    expect(d.questions).toEqual([
      { id: 'nps', type: 'nps', text: { en: 'Recommend us?', 'zh-CN': '推荐我们吗？' }, required: true },
      { id: 'clean', type: 'likert5', text: { en: 'Clean?', 'zh-CN': '干净吗？' }, dimension: 'cleanliness', required: false },
      { id: 'why', type: 'choice', text: { en: 'Why?' }, options: ['Price', 'View'], multiple: true, required: false },
    ]);
    expect(d.loop).toEqual({
      detractor: true,
      lowCsat: false,
      callbackWithinHours: 4,
      keywords: ['dirty'],
      dimensionAtOrBelow: { cleanliness: 2 },
      notify: { channel: 'email', address: 'desk@loc-1.example', locale: 'en', timeZone: 'Asia/Shanghai', quietHours: '00:00-00:00' },
    });
  });

  it('drops what does not apply to a question type, and a contact of another channel', () => {
    const f = formOf(stored);
    f.questions[1] = { ...f.questions[1]!, type: 'text', options: ['x'] };
    f.questions[2] = { ...f.questions[2]!, type: 'csat', dimension: 'service quality' };
    f.notifyChannel = 'sms';
    f.notifyAddress = '+8613800000000';
    f.notifyLocale = '';
    const d = definitionOf(f, stored);
    expect(d.questions[1]).toEqual({ id: 'clean', type: 'text', text: { en: 'Clean?', 'zh-CN': '干净吗？' }, required: false });
    expect(d.questions[2]).toEqual({ id: 'why', type: 'csat', text: { en: 'Why?' }, dimension: 'service quality', required: false });
    expect(d.loop?.notify).toEqual({ channel: 'sms', address: '+8613800000000' });
  });

  it('turns the loop off with {"off":true} alone, and opens a case when asked', () => {
    expect(definitionOf({ ...formOf(stored), loopOn: false }).loop).toEqual({ off: true });
    const f: BuilderForm = { ...formOf(stored), openCase: true, caseCategory: ' service_attitude ', caseSeverity: 'high' };
    expect(definitionOf(f).loop?.openCase).toEqual({ category: 'service_attitude', severity: 'high' });
    expect(formOf({ ...stored, loop: { off: true } }).loopOn).toBe(false);
  });

  it('leaves out the location for every location (head office)', () => {
    expect('locationId' in definitionOf({ ...emptyForm(''), name: 'x' })).toBe(false);
  });

  it('names ids not yet taken', () => {
    expect(nextQuestionId(['q1', 'q2'])).toBe('q3');
    expect(nextQuestionId(['q2', 'q3'])).toBe('q4');
    expect(newQuestion('choice', ['q1']).id).toBe('q2');
  });

  it('finds what single fields cannot: repeated ids, too few options, a loop without a rule', () => {
    const f = formOf(stored);
    expect(formIssues(f)).toEqual([]);
    f.questions[1]!.id = 'nps';
    f.questions[2]!.options = ['Price', ' '];
    f.detractor = false;
    f.keywords = [];
    f.thresholds = [];
    expect(formIssues(f)).toEqual([
      { field: 'questions.1.id', key: 'question.duplicateId' },
      { field: 'questions.2.options', key: 'question.options' },
      { field: 'detractor', key: 'loop.needsRule' },
    ]);
  });

  it('puts the API’s refusals beside their inputs', () => {
    expect(formFieldOf('questions[1].text.zh-CN')).toEqual(['questions', 1, 'textZh']);
    expect(formFieldOf('questions[0].text.en')).toEqual(['questions', 0, 'textEn']);
    expect(formFieldOf('questions[2].options[1]')).toEqual(['questions', 2, 'options']);
    expect(formFieldOf('name')).toEqual(['name']);
    expect(formFieldOf('loop.notify.timeZone')).toEqual(['notifyAddress']);
    expect(formFieldOf('loop')).toEqual(['detractor']);
    expect(formFieldOf('surveyId')).toBeUndefined();
  });

  it('titles a survey in the locale, else the other, else its name', () => {
    expect(titleOf(stored, 'zh-CN')).toBe('入住体验如何？');
    expect(titleOf({ name: 'N', title: { en: 'E' } }, 'zh-CN')).toBe('E');
    expect(titleOf({ name: 'N' }, 'en')).toBe('N');
  });
});

describe('results', () => {
  it('cuts a period into at most 8 runs of days for the trend', () => {
    expect(trendPeriods('2026-12-01', '2026-12-03')).toEqual([
      { from: '2026-12-01', to: '2026-12-01' },
      { from: '2026-12-02', to: '2026-12-02' },
      { from: '2026-12-03', to: '2026-12-03' },
    ]);
    const month = trendPeriods('2026-11-07', '2026-12-06');
    expect(month).toHaveLength(8);
    expect(month[0]).toEqual({ from: '2026-11-07', to: '2026-11-10' });
    expect(month.at(-1)).toEqual({ from: '2026-12-05', to: '2026-12-06' });
    expect(trendPeriods('2026-12-06', '2026-12-01')).toEqual([]);
  });

  it('lists a rating’s counts over its whole scale and a choice’s in option order', () => {
    expect(distributionOf({ id: 'c', type: 'csat', text: {} }, { '5': 2, '1': 1 })).toEqual([
      { value: '1', count: 1 },
      { value: '2', count: 0 },
      { value: '3', count: 0 },
      { value: '4', count: 0 },
      { value: '5', count: 2 },
    ]);
    expect(distributionOf({ id: 'n', type: 'nps', text: {} }, undefined)).toHaveLength(11);
    expect(distributionOf({ id: 'w', type: 'choice', text: {}, options: ['A', 'B'] }, { B: 3, Old: 1 })).toEqual([
      { value: 'A', count: 0 },
      { value: 'B', count: 3 },
      { value: 'Old', count: 1 },
    ]);
  });
});

describe('the export read back for its comments', () => {
  const csv =
    'responseId,submittedAt,surveyVersion,locationId,customerId,q:nps,q:why,nps,csat,comment\r\n' +
    'r1,2026-12-05T02:00:00Z,1,loc-1,,10,,10,,"Great view, ""lovely"" staff"\r\n' +
    'r2,2026-12-06T03:00:00Z,1,loc-1,c-9,3,Price; View,3,2,"\'=cold\nroom"\r\n' +
    'r3,2026-12-06T04:00:00Z,1,loc-2,,8,,8,,\r\n' +
    'r4,2026-12-06T05:00:00Z,2,loc-2,,,,,5,No NPS asked\r\n';

  it('parses quoted fields, doubled quotes and line breaks', () => {
    const rows = parseCsv(csv);
    expect(rows).toHaveLength(5);
    expect(rows[1]![9]).toBe('Great view, "lovely" staff');
    expect(rows[2]![9]).toBe("'=cold\nroom");
    expect(parseCsv('a,b\nc,')).toEqual([
      ['a', 'b'],
      ['c', ''],
    ]);
  });

  it('keeps responses with a comment, newest first, undoing the formula defusing', () => {
    const c = commentsOf(csv);
    expect(c.map((x) => x.responseId)).toEqual(['r4', 'r2', 'r1']);
    expect(c[1]).toEqual({ responseId: 'r2', submittedAt: '2026-12-06T03:00:00Z', locationId: 'loc-1', nps: 3, csat: 2, text: '=cold\nroom' });
    expect(c[0]!.nps).toBeUndefined();
  });

  it('filters comments by the NPS category of their response', () => {
    const c = commentsOf(csv);
    expect(filterComments(c, 'all')).toHaveLength(3);
    expect(filterComments(c, 'promoter').map((x) => x.responseId)).toEqual(['r1']);
    expect(filterComments(c, 'detractor').map((x) => x.responseId)).toEqual(['r2']);
    expect(filterComments(c, 'passive')).toEqual([]);
    expect(filterComments(c, 'none').map((x) => x.responseId)).toEqual(['r4']);
  });
});

describe('the QR poster’s address', () => {
  it('carries the link and the location, and accepts only a hosted survey page', () => {
    const path = posterPath('s 1', 'https://api.example/v1/s/tok123', 'loc-1');
    expect(path.startsWith('/surveys/s%201/poster?')).toBe(true);
    const params = new URLSearchParams(path.split('?')[1]);
    expect(posterLink(params)).toEqual({ url: 'https://api.example/v1/s/tok123', locationId: 'loc-1' });
    expect(posterLink(new URLSearchParams({ url: 'javascript:alert(1)//v1/s/x', locationId: 'loc-1' }))).toBeUndefined();
    expect(posterLink(new URLSearchParams({ url: 'https://evil.example/login', locationId: 'loc-1' }))).toBeUndefined();
    expect(posterLink(new URLSearchParams({ url: 'https://api.example/v1/s/tok' }))).toBeUndefined();
  });
});
