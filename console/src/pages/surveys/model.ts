import type { components } from '../../api/schema';

/**
 * The surveys area's own logic, kept apart from the pages so that it is tested alone:
 * the builder's form and the definition it sends, the scales of the question types,
 * the results' trend periods, the CSV export read back for its comments.
 */

export type Survey = components['schemas']['Survey'];
export type SurveySummary = components['schemas']['SurveySummary'];
export type Definition = components['schemas']['Definition'];
export type Question = components['schemas']['Question'];
export type Loop = components['schemas']['Loop'];
export type Results = components['schemas']['Results'];
export type Issued = components['schemas']['Issued'];
export type QuestionType = Question['type'];
export type SurveyLocale = 'zh-CN' | 'en';

/** The question types the API takes (shared/survey), in the order the builder offers them. */
export const QUESTION_TYPES: readonly QuestionType[] = ['nps', 'csat', 'likert5', 'likert10', 'choice', 'text'];

/** The service dimensions a survey rates unless it names its own (shared/survey DefaultDimensions). */
export const DEFAULT_DIMENSIONS: readonly string[] = ['product quality', 'service quality', 'waiting/delivery time', 'value for money', 'cleanliness'];

export const SEVERITIES = ['low', 'normal', 'high', 'critical'] as const;
export const CHANNELS = ['email', 'sms', 'webhook'] as const;

/** Limits the API checks (shared/survey/definition.go, loop.go), checked here first. */
export const LIMITS = { questions: 50, options: 30, name: 200, text: 500, keywords: 50, callbackHours: 336 } as const;

/** The ids the API accepts for questions and locations. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The whole-number range of a rating type; undefined for choice and text. */
export function scaleOf(type: QuestionType): { lo: number; hi: number } | undefined {
  switch (type) {
    case 'nps':
      return { lo: 0, hi: 10 };
    case 'csat':
    case 'likert5':
      return { lo: 1, hi: 5 };
    case 'likert10':
      return { lo: 1, hi: 10 };
    default:
      return undefined;
  }
}

export const isRating = (type: QuestionType) => scaleOf(type) !== undefined;

/** One question as the builder edits it. */
export interface QuestionForm {
  id: string;
  type: QuestionType;
  textEn: string;
  textZh: string;
  /** '' for none. */
  dimension: string;
  required: boolean;
  options: string[];
  multiple: boolean;
}

export interface ThresholdForm {
  dimension: string;
  value: number;
}

/** The builder's form: a survey definition in fields a person fills in. */
export interface BuilderForm {
  name: string;
  titleEn: string;
  titleZh: string;
  /** '' for every location (head office only). */
  locationId: string;
  anonymous: boolean;
  dimensions: string[];
  questions: QuestionForm[];
  loopOn: boolean;
  detractor: boolean;
  lowCsat: boolean;
  callbackWithinHours: number;
  keywords: string[];
  thresholds: ThresholdForm[];
  /** '' notifies the managers of the response's location. */
  notifyChannel: '' | (typeof CHANNELS)[number];
  notifyAddress: string;
  notifyLocale: '' | SurveyLocale;
  openCase: boolean;
  caseCategory: string;
  caseSeverity: '' | (typeof SEVERITIES)[number];
}

/** A question id not yet among ids: q1, q2, … */
export function nextQuestionId(ids: readonly string[]): string {
  for (let n = ids.length + 1; ; n++) {
    const id = `q${n}`;
    if (!ids.includes(id)) return id;
  }
}

export function newQuestion(type: QuestionType, ids: readonly string[]): QuestionForm {
  return { id: nextQuestionId(ids), type, textEn: '', textZh: '', dimension: '', required: type === 'nps', options: [], multiple: false };
}

/** The builder's start for a new survey: one NPS question, the default loop (shared/survey DefaultLoop). */
export function emptyForm(locationId: string): BuilderForm {
  return {
    name: '',
    titleEn: '',
    titleZh: '',
    locationId,
    anonymous: false,
    dimensions: [...DEFAULT_DIMENSIONS],
    questions: [newQuestion('nps', [])],
    loopOn: true,
    detractor: true,
    lowCsat: true,
    callbackWithinHours: 8,
    keywords: [],
    thresholds: [],
    notifyChannel: '',
    notifyAddress: '',
    notifyLocale: '',
    openCase: false,
    caseCategory: '',
    caseSeverity: '',
  };
}

/** The builder's form for editing a stored survey. */
export function formOf(s: Survey): BuilderForm {
  const loop = s.loop;
  const on = !!loop && !loop.off;
  return {
    name: s.name,
    titleEn: s.title?.en ?? '',
    titleZh: s.title?.['zh-CN'] ?? '',
    locationId: s.locationId ?? '',
    anonymous: !!s.anonymous,
    dimensions: s.dimensions?.length ? [...s.dimensions] : [...DEFAULT_DIMENSIONS],
    questions: s.questions.map((q) => ({
      id: q.id,
      type: q.type,
      textEn: q.text['en'] ?? '',
      textZh: q.text['zh-CN'] ?? '',
      dimension: q.dimension ?? '',
      required: !!q.required,
      options: q.options ? [...q.options] : [],
      multiple: !!q.multiple,
    })),
    loopOn: on,
    detractor: on ? !!loop.detractor : true,
    lowCsat: on ? !!loop.lowCsat : true,
    callbackWithinHours: on ? (loop.callbackWithinHours ?? 0) : 8,
    keywords: on ? [...(loop.keywords ?? [])] : [],
    thresholds: on ? Object.entries(loop.dimensionAtOrBelow ?? {}).map(([dimension, value]) => ({ dimension, value })) : [],
    notifyChannel: (on && loop.notify?.channel) || '',
    notifyAddress: (on && loop.notify?.address) || '',
    notifyLocale: (on && loop.notify?.locale) || '',
    openCase: on && !!loop.openCase,
    caseCategory: (on && loop.openCase?.category) || '',
    caseSeverity: (on && loop.openCase?.severity) || '',
  };
}

const trimmed = (s: string | undefined) => (s ?? '').trim();

/** The texts given, by locale; empty ones left out. */
function texts(en: string, zh: string): { en?: string; 'zh-CN'?: string } {
  const out: { en?: string; 'zh-CN'?: string } = {};
  if (trimmed(en)) out.en = trimmed(en);
  if (trimmed(zh)) out['zh-CN'] = trimmed(zh);
  return out;
}

function loopOf(f: BuilderForm, base: Loop | undefined): Loop {
  if (!f.loopOn) return { off: true };
  const loop: Loop = {
    detractor: f.detractor,
    lowCsat: f.lowCsat,
    callbackWithinHours: f.callbackWithinHours,
  };
  const keywords = f.keywords.map(trimmed).filter((k) => k !== '');
  if (keywords.length) loop.keywords = keywords;
  const thresholds = f.thresholds.filter((t) => f.dimensions.includes(t.dimension));
  if (thresholds.length) loop.dimensionAtOrBelow = Object.fromEntries(thresholds.map((t) => [t.dimension, t.value]));
  if (f.notifyChannel) {
    // What the builder does not show of an existing contact (its time zone and quiet
    // hours, set through the API) is kept while the channel stays the same.
    const kept = base?.notify?.channel === f.notifyChannel ? base.notify : undefined;
    loop.notify = { ...kept, channel: f.notifyChannel, address: trimmed(f.notifyAddress) };
    if (f.notifyLocale) loop.notify.locale = f.notifyLocale;
    else delete loop.notify.locale;
  }
  if (f.openCase) {
    loop.openCase = { category: trimmed(f.caseCategory) };
    if (f.caseSeverity) loop.openCase.severity = f.caseSeverity;
  }
  return loop;
}

/**
 * The definition the builder posts (POST /v1/surveys) or puts (PUT, with base, the
 * version being edited: a stale one is the API's 409).
 */
export function definitionOf(f: BuilderForm, base?: Survey): Definition {
  const d: Definition = {
    name: trimmed(f.name),
    anonymous: f.anonymous,
    dimensions: f.dimensions.map(trimmed).filter((x) => x !== ''),
    questions: f.questions.map((q) => {
      const out: Question = { id: trimmed(q.id), type: q.type, text: texts(q.textEn, q.textZh), required: q.required };
      if (isRating(q.type) && q.dimension) out.dimension = q.dimension;
      if (q.type === 'choice') {
        out.options = q.options.map(trimmed).filter((o) => o !== '');
        if (q.multiple) out.multiple = true;
      }
      return out;
    }),
    loop: loopOf(f, base?.loop),
  };
  const title = texts(f.titleEn, f.titleZh);
  if (title.en || title['zh-CN']) d.title = title;
  if (f.locationId) d.locationId = f.locationId;
  if (base) d.version = base.version;
  return d;
}

/** What is wrong with the form before it is sent, as message keys per field path. */
export type FormIssue = { field: string; key: 'loop.needsRule' | 'question.options' | 'question.duplicateId' };

/** Checks the API would make that a single input's rule cannot: across fields. */
export function formIssues(f: BuilderForm): FormIssue[] {
  const issues: FormIssue[] = [];
  const seen = new Set<string>();
  f.questions.forEach((q, i) => {
    const id = trimmed(q.id);
    if (seen.has(id)) issues.push({ field: `questions.${i}.id`, key: 'question.duplicateId' });
    seen.add(id);
    if (q.type === 'choice') {
      const opts = q.options.map(trimmed).filter((o) => o !== '');
      if (opts.length < 2 || opts.length > LIMITS.options || new Set(opts).size !== opts.length) {
        issues.push({ field: `questions.${i}.options`, key: 'question.options' });
      }
    }
  });
  if (f.loopOn && !f.detractor && !f.lowCsat && f.keywords.length === 0 && f.thresholds.length === 0) {
    issues.push({ field: 'detractor', key: 'loop.needsRule' });
  }
  return issues;
}

/**
 * The builder's form field for a field the API names in a 400 ("questions[1].text.en"
 * → ['questions', 1, 'textEn']), to put the API's refusal beside its input.
 */
export function formFieldOf(apiField: string): (string | number)[] | undefined {
  const m = /^questions\[(\d+)\]\.(\w+)(?:\.([\w-]+))?/.exec(apiField);
  if (m) {
    const i = Number(m[1]);
    const sub = m[2]!;
    if (sub === 'text') return ['questions', i, m[3] === 'zh-CN' ? 'textZh' : 'textEn'];
    if (['id', 'type', 'dimension', 'options'].includes(sub)) return ['questions', i, sub];
    return ['questions', i, 'id'];
  }
  const top: Record<string, string> = {
    name: 'name',
    'title.en': 'titleEn',
    'title.zh-CN': 'titleZh',
    locationId: 'locationId',
    dimensions: 'dimensions',
    'loop.callbackWithinHours': 'callbackWithinHours',
    'loop.notify': 'notifyAddress',
    'loop.keywords': 'keywords',
    'loop.openCase.category': 'caseCategory',
    'loop.openCase.severity': 'caseSeverity',
    loop: 'detractor',
  };
  for (const [prefix, field] of Object.entries(top)) {
    if (apiField === prefix || apiField.startsWith(prefix + '.') || apiField.startsWith(prefix + '[')) return [field];
  }
  return undefined;
}

/** A survey's heading in the locale, falling back to the other locale, then its name. */
export function titleOf(s: { name: string; title?: { en?: string; 'zh-CN'?: string } }, locale: SurveyLocale): string {
  const other: SurveyLocale = locale === 'en' ? 'zh-CN' : 'en';
  return s.title?.[locale] || s.title?.[other] || s.name;
}

/** A question's text in the locale, else the other one. */
export function questionText(q: Question, locale: SurveyLocale): string {
  return q.text[locale] || q.text[locale === 'en' ? 'zh-CN' : 'en'] || q.id;
}

// ----- results -----

/** Days between two YYYY-MM-DD dates, counting both. */
export function daysIn(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The periods of the trend: the range cut into at most max runs of whole days (one a
 * day when it is short enough), each a results query of its own.
 */
export function trendPeriods(from: string, to: string, max = 8): { from: string; to: string }[] {
  const days = daysIn(from, to);
  if (!(days >= 1)) return [];
  const size = Math.ceil(days / max);
  const out: { from: string; to: string }[] = [];
  for (let start = 0; start < days; start += size) {
    const end = Math.min(start + size, days) - 1;
    out.push({ from: addDays(from, start), to: addDays(from, end) });
  }
  return out;
}

/** The answer counts of a question in scale or option order, zeros included. */
export function distributionOf(q: Question, counts: Record<string, number> | undefined): { value: string; count: number }[] {
  const c = counts ?? {};
  const scale = scaleOf(q.type);
  let keys: string[];
  if (scale) {
    keys = [];
    for (let v = scale.lo; v <= scale.hi; v++) keys.push(String(v));
  } else if (q.type === 'choice') {
    keys = [...(q.options ?? [])];
    for (const k of Object.keys(c)) if (!keys.includes(k)) keys.push(k);
  } else {
    keys = Object.keys(c);
  }
  return keys.map((value) => ({ value, count: c[value] ?? 0 }));
}

export type NpsCategory = 'promoter' | 'passive' | 'detractor';

export function npsCategory(score: number): NpsCategory {
  return score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';
}

// ----- the CSV export, read back for its comments -----

/** Parses CSV (RFC 4180: quoted fields, doubled quotes, CRLF or LF) into rows. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  while (i < src.length) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += ch;
      }
      i++;
      continue;
    }
    if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (ch === '\r' && src[i + 1] === '\n') i++;
    } else {
      field += ch;
    }
    i++;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** A cell the export defused against spreadsheet formulas ("'=…"), as it was written. */
export function undefuse(cell: string): string {
  return cell.length > 1 && cell[0] === "'" && '=+-@\t\r'.includes(cell[1]!) ? cell.slice(1) : cell;
}

export interface Comment {
  responseId: string;
  submittedAt: string;
  locationId: string;
  /** The response's NPS answer, if it had one. */
  nps?: number;
  csat?: number;
  text: string;
}

/** The responses of an export that carry a comment, newest first. */
export function commentsOf(csv: string): Comment[] {
  const [header, ...rows] = parseCsv(csv);
  if (!header) return [];
  const col = (name: string) => header.indexOf(name);
  const [id, at, loc, nps, csat, comment] = ['responseId', 'submittedAt', 'locationId', 'nps', 'csat', 'comment'].map(col) as number[];
  if (comment === -1) return [];
  const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
  return rows
    .filter((r) => undefuse(r[comment!] ?? '').trim() !== '')
    .map((r) => ({
      responseId: r[id!] ?? '',
      submittedAt: r[at!] ?? '',
      locationId: r[loc!] ?? '',
      nps: num(r[nps!]),
      csat: num(r[csat!]),
      text: undefuse(r[comment!] ?? ''),
    }))
    .sort((a, b) => b.submittedAt.localeCompare(a.submittedAt));
}

/** Which comments to show: by the response's NPS category, or those without an NPS answer. */
export type CommentFilter = 'all' | NpsCategory | 'none';

export function filterComments(comments: readonly Comment[], f: CommentFilter): Comment[] {
  if (f === 'all') return [...comments];
  if (f === 'none') return comments.filter((c) => c.nps === undefined);
  return comments.filter((c) => c.nps !== undefined && npsCategory(c.nps) === f);
}

/** The export's file name for a survey and period. */
export function exportFileName(surveyId: string, from: string, to: string): string {
  return `${surveyId}-responses-${from}-to-${to}.csv`;
}
