import { describe, expect, it } from 'vitest';
import { EXPIRY_MARGIN_S, endSessionUrl, establish, returnPath, signInAgain, tokenState, type SessionManager, type SessionUser } from './session';

const NOW = 1_800_000_000;
const user = (over: Partial<SessionUser> = {}): SessionUser => ({
  id_token: 'id.jwt',
  refresh_token: 'rt',
  expires_at: NOW + 3600,
  profile: { exp: NOW + 3600 },
  ...over,
});

describe('tokenState', () => {
  it('uses tokens that are not near expiry', () => {
    expect(tokenState(user(), NOW)).toBe('valid');
  });

  it('renews by refresh token near or past expiry', () => {
    expect(tokenState(user({ expires_at: NOW + EXPIRY_MARGIN_S }), NOW)).toBe('renew');
    expect(tokenState(user({ expires_at: NOW - 10, profile: { exp: NOW - 10 } }), NOW)).toBe('renew');
  });

  it('counts the ID token expiry, which the API checks', () => {
    expect(tokenState(user({ profile: { exp: NOW + 5 } }), NOW)).toBe('renew');
  });

  it('signs in again without a refresh token, an ID token or any user', () => {
    expect(tokenState(user({ expires_at: NOW - 1, refresh_token: undefined }), NOW)).toBe('signin');
    expect(tokenState(user({ id_token: undefined }), NOW)).toBe('signin');
    expect(tokenState(null, NOW)).toBe('signin');
  });

  it('treats tokens with no expiry as expired', () => {
    expect(tokenState(user({ expires_at: undefined, profile: {} }), NOW)).toBe('renew');
  });
});

describe('returnPath', () => {
  it.each([
    ['/complaints/c-1?tab=notes', '/complaints/c-1?tab=notes'],
    ['/', '/'],
    ['//evil.example/x', '/'],
    ['/\\evil.example', '/'],
    ['https://evil.example/', '/'],
    ['/callback', '/'],
    ['/callback?code=x', '/'],
    [undefined, '/'],
    [42, '/'],
  ])('%s → %s', (state, want) => {
    expect(returnPath(state)).toBe(want);
  });
});

describe('endSessionUrl', () => {
  it('uses the issuer end-session endpoint (the local issuer names one)', () => {
    const u = new URL(endSessionUrl({ end_session_endpoint: 'http://127.0.0.1:8080/dev/issuer/logout' }, 'rapport-console', 'http://127.0.0.1:8080'));
    expect(u.origin + u.pathname).toBe('http://127.0.0.1:8080/dev/issuer/logout');
    expect(u.searchParams.get('client_id')).toBe('rapport-console');
    expect(u.searchParams.get('logout_uri')).toBe('http://127.0.0.1:8080/');
    expect(u.searchParams.get('post_logout_redirect_uri')).toBe('http://127.0.0.1:8080/');
  });

  it('finds Cognito /logout beside its authorize endpoint', () => {
    const u = new URL(
      endSessionUrl({ authorization_endpoint: 'https://rapport.auth.eu-west-1.amazoncognito.com/oauth2/authorize' }, 'abc123', 'https://console.example.com'),
    );
    expect(u.origin + u.pathname).toBe('https://rapport.auth.eu-west-1.amazoncognito.com/logout');
    expect(u.searchParams.get('client_id')).toBe('abc123');
    expect(u.searchParams.get('logout_uri')).toBe('https://console.example.com/');
    expect([...u.searchParams.keys()].sort()).toEqual(['client_id', 'logout_uri']);
  });

  it('fails when the issuer names neither', () => {
    expect(() => endSessionUrl({}, 'c', 'https://x')).toThrow();
  });
});

/** A user manager that records what the session asked of it. */
class FakeManager implements SessionManager<SessionUser> {
  calls: string[] = [];
  redirectedWith?: string;
  constructor(
    private stored: SessionUser | null,
    private renewed: SessionUser | Error | null = null,
    private callback: SessionUser | Error = user(),
  ) {}
  async getUser() {
    this.calls.push('getUser');
    return this.stored;
  }
  async signinSilent() {
    this.calls.push('signinSilent');
    if (this.renewed instanceof Error) throw this.renewed;
    return this.renewed;
  }
  async signinRedirect({ state }: { state: string }) {
    this.calls.push('signinRedirect');
    this.redirectedWith = state;
  }
  async signinRedirectCallback(url?: string) {
    this.calls.push(`signinRedirectCallback ${url}`);
    if (this.callback instanceof Error) throw this.callback;
    return this.callback;
  }
  async removeUser() {
    this.calls.push('removeUser');
    this.stored = null;
  }
}

const here = (path: string) => {
  const u = new URL(path, 'http://127.0.0.1:8080');
  return { pathname: u.pathname, search: u.search, href: u.href };
};

describe('establish', () => {
  it('uses valid stored tokens and stays on the page', async () => {
    const m = new FakeManager(user());
    expect(await establish(m, here('/complaints?status=received'), NOW)).toEqual({ user: user(), path: '/complaints?status=received' });
    expect(m.calls).toEqual(['getUser']);
  });

  it('renews expired tokens by refresh token', async () => {
    const fresh = user({ id_token: 'fresh' });
    const m = new FakeManager(user({ expires_at: NOW - 5 }), fresh);
    expect(await establish(m, here('/surveys'), NOW)).toEqual({ user: fresh, path: '/surveys' });
    expect(m.calls).toEqual(['getUser', 'signinSilent']);
  });

  it('signs in again, keeping the path, when renewal fails', async () => {
    const m = new FakeManager(user({ expires_at: NOW - 5 }), new Error('invalid_grant'));
    expect(await establish(m, here('/customers/c-9?tab=points'), NOW)).toBeNull();
    expect(m.calls).toEqual(['getUser', 'signinSilent', 'removeUser', 'signinRedirect']);
    expect(m.redirectedWith).toBe('/customers/c-9?tab=points');
  });

  it('signs in when nothing is stored', async () => {
    const m = new FakeManager(null);
    expect(await establish(m, here('/followups'), NOW)).toBeNull();
    expect(m.redirectedWith).toBe('/followups');
  });

  it('completes a sign-in on the callback and returns to its state path', async () => {
    const m = new FakeManager(null, null, user({ state: '/complaints/c-1' }));
    const r = await establish(m, here('/callback?code=abc&state=xyz'), NOW);
    expect(r?.path).toBe('/complaints/c-1');
    expect(m.calls).toEqual(['signinRedirectCallback http://127.0.0.1:8080/callback?code=abc&state=xyz']);
  });

  it('does not follow a callback state off the origin', async () => {
    const m = new FakeManager(null, null, user({ state: '//evil.example' }));
    expect((await establish(m, here('/callback?code=abc'), NOW))?.path).toBe('/');
  });

  it('lets a refused sign-in fail, for the page to say so', async () => {
    const m = new FakeManager(null, null, new Error('access_denied'));
    await expect(establish(m, here('/callback?error=access_denied'), NOW)).rejects.toThrow('access_denied');
  });
});

describe('signInAgain', () => {
  it('forgets the tokens before redirecting', async () => {
    const m = new FakeManager(user());
    await signInAgain(m, '/counter');
    expect(m.calls).toEqual(['removeUser', 'signinRedirect']);
    expect(m.redirectedWith).toBe('/counter');
  });
});
