import { describe, expect, it } from 'vitest';
import { call, createApi } from './client';
import { ApiError, apiErrorFrom, errorKind } from './error';

/** A fetch that records requests and answers from a list. */
function fakeFetch(...answers: Response[]) {
  const requests: Request[] = [];
  const f = async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(input instanceof Request ? input : new Request(input, init));
    const a = answers.shift();
    if (!a) throw new TypeError('Failed to fetch');
    return a;
  };
  return { fetch: f as typeof fetch, requests };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

describe('createApi', () => {
  it('sends the ID token as bearer', async () => {
    const f = fakeFetch(json(200, { items: [] }));
    const api = createApi('http://api.test', () => 'id.token.jwt', f.fetch);
    expect(await call(api.GET('/v1/locations'))).toEqual({ items: [] });
    expect(f.requests[0]!.url).toBe('http://api.test/v1/locations');
    expect(f.requests[0]!.headers.get('Authorization')).toBe('Bearer id.token.jwt');
  });

  it('sends no Authorization header without a token', async () => {
    const f = fakeFetch(json(200, { items: [] }));
    await call(createApi('http://api.test', () => undefined, f.fetch).GET('/v1/locations'));
    expect(f.requests[0]!.headers.has('Authorization')).toBe(false);
  });

  it('gives every POST an Idempotency-Key, keeping the caller own', async () => {
    const f = fakeFetch(json(201, {}), json(201, {}));
    const api = createApi('http://api.test', () => 't', f.fetch);
    const body = { locationId: 'sh-01', name: 'Shanghai', timeZone: 'Asia/Shanghai' };
    await call(api.POST('/v1/locations', { body }));
    await call(api.POST('/v1/locations', { body, headers: { 'Idempotency-Key': 'mine' } }));
    expect(f.requests[0]!.headers.get('Idempotency-Key')).toMatch(/^[0-9a-f-]{36}$/);
    expect(f.requests[1]!.headers.get('Idempotency-Key')).toBe('mine');
  });
});

describe('call', () => {
  it('throws the problem document as an ApiError naming the field', async () => {
    const problem = {
      type: 'about:blank',
      title: 'Invalid request',
      status: 400,
      detail: 'timeZone is not an IANA time zone',
      errors: [{ field: 'timeZone', message: 'unknown time zone' }],
    };
    const f = fakeFetch(new Response(JSON.stringify(problem), { status: 400, headers: { 'Content-Type': 'application/problem+json' } }));
    const api = createApi('http://api.test', () => 't', f.fetch);
    const err = await call(api.GET('/v1/locations')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, title: 'Invalid request', detail: 'timeZone is not an IANA time zone', field: 'timeZone' });
  });

  it('reads API Gateway own {"message"} replies and Retry-After', async () => {
    const f = fakeFetch(json(429, { message: 'Too Many Requests' }, { 'Retry-After': '7' }));
    const err = await call(createApi('http://api.test', () => 't', f.fetch).GET('/v1/locations')).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, title: 'Too Many Requests', retryAfter: 7 });
  });

  it('lets a network failure through as it is', async () => {
    const f = fakeFetch();
    const err = await call(createApi('http://api.test', () => 't', f.fetch).GET('/v1/locations')).catch((e: unknown) => e);
    expect(errorKind(err)).toBe('network');
  });
});

describe('apiErrorFrom and errorKind', () => {
  const res = (status: number) => new Response(null, { status, statusText: 'X' });

  it('uses the status text when the body says nothing', () => {
    expect(apiErrorFrom(res(502), undefined)).toMatchObject({ status: 502, title: 'X', fields: [] });
    expect(apiErrorFrom(res(500), '  upstream died ')).toMatchObject({ detail: 'upstream died' });
  });

  it('ignores Retry-After given as a date', () => {
    const r = new Response(null, { status: 503, headers: { 'Retry-After': 'Wed, 21 Oct 2026 07:28:00 GMT' } });
    expect(apiErrorFrom(r, {}).retryAfter).toBeUndefined();
  });

  it.each([
    [400, '400'],
    [413, '400'],
    [415, '400'],
    [401, '401'],
    [403, '403'],
    [404, '404'],
    [409, '409'],
    [410, '410'],
    [422, '422'],
    [429, '429'],
    [503, '5xx'],
    [500, '5xx'],
    [418, 'other'],
  ])('%i is told as %s', (status, kind) => {
    expect(errorKind(new ApiError({ status, title: 't' }))).toBe(kind);
  });

  it('tells a failure that is no API error as other', () => {
    expect(errorKind(new Error('x'))).toBe('other');
  });
});
