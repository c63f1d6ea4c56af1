/**
 * A refusal or failure of Rapport's API, from its RFC 9457 problem document (or API
 * Gateway's own {"message"} for the 401, 413 and 429 it answers itself). A 409 is a
 * normal outcome a page says in words, not a crash.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  /** The first field the problem names, e.g. "contact.email". */
  readonly field?: string;
  readonly fields: { field: string; message: string }[];
  /** Seconds to wait, from Retry-After (429, 503). */
  readonly retryAfter?: number;
  /**
   * A refusal named for machines ("voucher-redeemed") and its particulars: what a page
   * says in its own language, where detail is the API's English.
   */
  readonly reason?: string;
  readonly facts: Record<string, unknown>;

  constructor(init: {
    status: number;
    title: string;
    detail?: string;
    fields?: { field: string; message: string }[];
    retryAfter?: number;
    reason?: string;
    facts?: Record<string, unknown>;
  }) {
    super(`${init.status} ${init.title}${init.detail ? `: ${init.detail}` : ''}`);
    this.name = 'ApiError';
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.fields = init.fields ?? [];
    this.field = this.fields[0]?.field;
    this.retryAfter = init.retryAfter;
    this.reason = init.reason;
    this.facts = init.facts ?? {};
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Reads Retry-After given in seconds (Rapport and API Gateway never send a date). */
function retryAfter(h: string | null): number | undefined {
  if (h === null || !/^\d+$/.test(h.trim())) return undefined;
  return Number(h.trim());
}

/** The ApiError for a response that is not 2xx, with its body already parsed (or text). */
export function apiErrorFrom(res: Response, body: unknown): ApiError {
  const o = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const fields = Array.isArray(o.errors)
    ? o.errors.flatMap((e: unknown) => {
        const x = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {};
        const field = str(x.field);
        return field ? [{ field, message: str(x.message) ?? '' }] : [];
      })
    : [];
  return new ApiError({
    status: res.status,
    title: str(o.title) ?? str(o.message) ?? (res.statusText || `HTTP ${res.status}`),
    detail: str(o.detail) ?? (typeof body === 'string' ? str(body.trim()) : undefined),
    fields,
    retryAfter: retryAfter(res.headers.get('Retry-After')),
    reason: str(o.reason),
    facts: typeof o.facts === 'object' && o.facts !== null && !Array.isArray(o.facts) ? (o.facts as Record<string, unknown>) : undefined,
  });
}

/** The kinds of failure the console tells apart in words (ErrorView). */
export type ErrorKind = '400' | '401' | '403' | '404' | '409' | '410' | '422' | '429' | '5xx' | 'network' | 'other';

export function errorKind(e: unknown): ErrorKind {
  if (e instanceof ApiError) {
    const s = e.status;
    switch (s) {
      case 400:
      case 413:
      case 415:
        return '400';
      case 401:
      case 403:
      case 404:
      case 409:
      case 410:
      case 422:
      case 429:
        return String(s) as ErrorKind;
    }
    return s >= 500 ? '5xx' : 'other';
  }
  // fetch rejects with a TypeError when the request never got an answer.
  return e instanceof TypeError ? 'network' : 'other';
}
