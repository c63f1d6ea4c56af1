import type { ReactElement } from 'react';
import { ConfigProvider } from 'antd';
import { render } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { vi } from 'vitest';
import { ApiContext, createApi } from '../api/client';
import { AuthContext, type Auth } from '../auth/AuthProvider';
import { principalFromClaims } from '../auth/principal';
import { LocationProvider } from '../components/LocationSwitcher';

export interface PageOptions {
  /** cognito:groups of the signed-in person. */
  groups?: string[];
  /** custom:locations ("*" for all). */
  locations?: string;
  /** Answers the API's requests; gets each Request. */
  fetch: (req: Request) => Response | Promise<Response>;
  /** The address the page is rendered at. */
  path?: string;
}

/**
 * Renders part of the console as a signed-in person sees it, with the API answered by
 * opts.fetch: the pattern for the pages' own tests. Returns the render result, the
 * requests sent and the fake auth (to check signIn was called after a 401).
 */
export function renderPage(ui: ReactElement, opts: PageOptions) {
  const requests: Request[] = [];
  const auth: Auth = {
    principal: principalFromClaims({
      sub: 'test-user',
      email: 'test@rapport.test',
      'cognito:groups': opts.groups ?? ['admin'],
      'custom:locations': opts.locations ?? '*',
    }),
    idToken: () => 'test-id-token',
    signIn: vi.fn(),
    signOut: vi.fn(async () => {}),
  };
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(input, init);
    requests.push(req);
    return opts.fetch(req);
  }) as typeof fetch;
  const api = createApi('http://api.test', auth.idToken, fetchImpl);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  // Without antd's motion: jsdom fires no transitionend, so an element that leaves by a
  // transition (a button's loading spinner, a closing dialog) may stay in the page, and
  // be read: the spinner's "loading" stayed in a button's name after its request ended.
  const result = render(
    <ConfigProvider theme={{ token: { motion: false } }}>
      <QueryClientProvider client={queryClient}>
        <AuthContext.Provider value={auth}>
          <ApiContext.Provider value={api}>
            <LocationProvider>
              <MemoryRouter initialEntries={[opts.path ?? '/']}>{ui}</MemoryRouter>
            </LocationProvider>
          </ApiContext.Provider>
        </AuthContext.Provider>
      </QueryClientProvider>
    </ConfigProvider>,
  );
  return { ...result, requests, auth };
}

/** A JSON answer. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const type = status >= 400 && typeof body === 'object' && body !== null && 'title' in body ? 'application/problem+json' : 'application/json';
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type, ...headers } });
}
