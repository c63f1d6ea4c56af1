import { createContext, useContext } from 'react';
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from './schema';
import { apiErrorFrom } from './error';

export type Api = Client<paths>;

/**
 * The typed client of Rapport's API (types generated from shared/api/openapi.yaml).
 * Every request carries the signed-in person's ID token; every POST an
 * Idempotency-Key, unless the caller gives its own (to make a retry of one action
 * count once, give the same key to each attempt).
 */
export function createApi(baseUrl: string, idToken: () => string | undefined, fetchImpl?: typeof fetch): Api {
  const api = createClient<paths>({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  api.use({
    onRequest({ request }) {
      const token = idToken();
      if (token) request.headers.set('Authorization', `Bearer ${token}`);
      if (request.method === 'POST' && !request.headers.has('Idempotency-Key')) {
        request.headers.set('Idempotency-Key', crypto.randomUUID());
      }
      return request;
    },
  });
  return api;
}

/**
 * The data of an openapi-fetch call, or its ApiError thrown: what a TanStack Query
 * queryFn or mutationFn returns.
 *
 *   useQuery({ queryKey: ['/v1/locations'], queryFn: () => call(api.GET('/v1/locations')) })
 */
export async function call<R extends { data?: unknown; error?: unknown; response: Response }>(
  request: Promise<R>,
): Promise<NonNullable<R['data']>> {
  const { data, error, response } = await request;
  if (!response.ok) throw apiErrorFrom(response, error);
  return data as NonNullable<R['data']>;
}

export const ApiContext = createContext<Api | null>(null);

export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside ApiContext');
  return api;
}
