/**
 * The console's sign-in session, apart from React and from the browser's globals so
 * that it can be tested with a fake user manager: when the stored tokens do, when they
 * must be renewed (by the refresh token) and when the person must sign in again, where
 * to come back to after signing in, and where signing out goes.
 */

/** What the session reads of an oidc-client-ts User. */
export interface SessionUser {
  id_token?: string;
  refresh_token?: string;
  /** The access token's expiry, in seconds since the epoch. */
  expires_at?: number;
  profile: { exp?: number };
  state?: unknown;
}

/** The part of oidc-client-ts's UserManager the session uses. */
export interface SessionManager<U extends SessionUser> {
  getUser(): Promise<U | null>;
  signinSilent(): Promise<U | null>;
  signinRedirect(args: { state: string }): Promise<void>;
  signinRedirectCallback(url?: string): Promise<U>;
  removeUser(): Promise<void>;
}

export const CALLBACK_PATH = '/callback';

/** Tokens this close to their expiry are renewed before use (seconds). */
export const EXPIRY_MARGIN_S = 60;

export type TokenState = 'valid' | 'renew' | 'signin';

/**
 * What to do with stored tokens at nowS (seconds since the epoch): use them, renew them
 * with the refresh token, or sign in again. The ID token is what the API checks, so its
 * exp counts as well as the access token's.
 */
export function tokenState(u: SessionUser | null, nowS: number): TokenState {
  if (!u || !u.id_token) return 'signin';
  const expiries = [u.expires_at, u.profile.exp].filter((x): x is number => typeof x === 'number');
  const expires = expiries.length ? Math.min(...expiries) : 0;
  if (expires - EXPIRY_MARGIN_S > nowS) return 'valid';
  return u.refresh_token ? 'renew' : 'signin';
}

/**
 * The in-app path a sign-in carried in its state, or "/" for anything else: only a
 * path on this origin (not "//host", not the callback itself) is followed.
 */
export function returnPath(state: unknown): string {
  if (typeof state !== 'string' || !state.startsWith('/') || state.startsWith('//') || state.startsWith('/\\')) {
    return '/';
  }
  if (state === CALLBACK_PATH || state.startsWith(CALLBACK_PATH + '?') || state.startsWith(CALLBACK_PATH + '/')) {
    return '/';
  }
  return state;
}

export interface IssuerEndpoints {
  end_session_endpoint?: string;
  authorization_endpoint?: string;
}

/**
 * Where signing out sends the browser, to come back to the console's root. Cognito's
 * managed login names no end_session_endpoint in its discovery document; its /logout
 * sits beside /oauth2/authorize and takes client_id and logout_uri. An issuer that
 * names an end-session endpoint (the local one, or another OIDC provider the stack is
 * configured with) gets OIDC's post_logout_redirect_uri as well; the local issuer reads
 * either.
 */
export function endSessionUrl(ep: IssuerEndpoints, clientId: string, origin: string): string {
  const back = origin + '/';
  if (ep.end_session_endpoint) {
    const u = new URL(ep.end_session_endpoint);
    u.searchParams.set('client_id', clientId);
    u.searchParams.set('logout_uri', back);
    u.searchParams.set('post_logout_redirect_uri', back);
    return u.toString();
  }
  if (!ep.authorization_endpoint) throw new Error('the issuer names neither an end-session nor an authorization endpoint');
  const u = new URL(ep.authorization_endpoint);
  u.pathname = u.pathname.replace(/\/oauth2\/authorize$/, '/logout');
  u.search = '';
  u.searchParams.set('client_id', clientId);
  u.searchParams.set('logout_uri', back);
  return u.toString();
}

/** The browser's address, as the session needs it. */
export interface Here {
  pathname: string;
  search: string;
  href: string;
}

/**
 * Establishes the session on load. On the callback path it completes the sign-in and
 * returns the user with the path to go back to; otherwise it uses the stored tokens,
 * renews them, or starts a sign-in that will come back to the current path (then it
 * returns null: the browser is leaving).
 */
export async function establish<U extends SessionUser>(
  mgr: SessionManager<U>,
  here: Here,
  nowS: number,
): Promise<{ user: U; path: string } | null> {
  if (here.pathname === CALLBACK_PATH) {
    const user = await mgr.signinRedirectCallback(here.href);
    return { user, path: returnPath(user.state) };
  }
  const path = here.pathname + here.search;
  const stored = await mgr.getUser();
  switch (tokenState(stored, nowS)) {
    case 'valid':
      return { user: stored!, path };
    case 'renew': {
      const renewed = await mgr.signinSilent().catch(() => null);
      if (renewed && tokenState(renewed, nowS) === 'valid') return { user: renewed, path };
      break;
    }
    case 'signin':
      break;
  }
  await signInAgain(mgr, path);
  return null;
}

/** Forgets the tokens and starts a fresh sign-in that comes back to path. */
export async function signInAgain<U extends SessionUser>(mgr: SessionManager<U>, path: string): Promise<void> {
  await mgr.removeUser();
  await mgr.signinRedirect({ state: returnPath(path) });
}
