import { createContext, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Button, Spin } from 'antd';
import type { User, UserManager } from 'oidc-client-ts';
import { Notice } from '../components/Notice';
import shell from '../i18n/shell';
import { useT } from '../i18n';
import { principalFromClaims, type Principal } from './principal';
import { endSessionUrl, establish, signInAgain, tokenState } from './session';

export interface Auth {
  principal: Principal;
  /** The ID token the API is called with (Rapport's API takes people's ID tokens). */
  idToken(): string | undefined;
  /** A fresh sign-in that comes back to the current page (after a 401). */
  signIn(): void;
  signOut(): Promise<void>;
}

export const AuthContext = createContext<Auth | null>(null);

export function useAuth(): Auth {
  const a = useContext(AuthContext);
  if (!a) throw new Error('useAuth outside AuthProvider');
  return a;
}

const nowS = () => Date.now() / 1000;
const currentPath = () => window.location.pathname + window.location.search;

type State = { kind: 'starting' } | { kind: 'ready'; user: User } | { kind: 'failed' };

// One start per manager: a sign-in's code and state can be redeemed only once, and
// React may run an effect twice (StrictMode in development).
const starts = new WeakMap<UserManager, ReturnType<typeof establish<User>>>();

function start(manager: UserManager) {
  let p = starts.get(manager);
  if (!p) {
    p = establish(manager, window.location, nowS());
    starts.set(manager, p);
  }
  return p;
}

/**
 * Signs the person in before anything else renders: completes a sign-in on /callback,
 * uses or renews stored tokens, or sends the browser to the issuer. Renewal failures
 * (an expired or revoked refresh token) end in a clean sign-in that comes back here.
 */
export function AuthProvider({ manager, clientId, children }: { manager: UserManager; clientId: string; children: ReactNode }) {
  const t = useT(shell);
  const [state, setState] = useState<State>({ kind: 'starting' });
  const userRef = useRef<User | null>(null);

  useEffect(() => {
    let live = true;
    const ready = (user: User) => {
      userRef.current = user;
      if (live) setState({ kind: 'ready', user });
    };
    const again = () => {
      void signInAgain(manager, currentPath());
    };
    manager.events.addUserLoaded(ready);
    manager.events.addSilentRenewError(again);
    const onExpired = () => {
      // The tab slept through the renewal: try once more, else sign in again.
      manager.signinSilent().then((u) => (u ? ready(u) : again()), again);
    };
    manager.events.addAccessTokenExpired(onExpired);
    start(manager).then(
      (r) => {
        if (!r) return;
        if (r.path !== currentPath()) window.history.replaceState(null, '', r.path);
        ready(r.user);
      },
      () => live && setState({ kind: 'failed' }),
    );
    return () => {
      live = false;
      manager.events.removeUserLoaded(ready);
      manager.events.removeSilentRenewError(again);
      manager.events.removeAccessTokenExpired(onExpired);
    };
  }, [manager]);

  const user = state.kind === 'ready' ? state.user : null;
  const auth = useMemo<Auth | null>(() => {
    if (!user) return null;
    return {
      principal: principalFromClaims(user.profile as Record<string, unknown>),
      idToken: () => {
        const u = userRef.current;
        return u && tokenState(u, nowS()) !== 'signin' ? u.id_token : undefined;
      },
      signIn: () => void signInAgain(manager, currentPath()),
      signOut: async () => {
        const meta = await manager.metadataService.getMetadata();
        await manager.removeUser();
        window.location.assign(endSessionUrl(meta, clientId, window.location.origin));
      },
    };
  }, [user, manager, clientId]);

  if (state.kind === 'failed') {
    return (
      <Notice
        tone="warning"
        title={t('auth.failed')}
        text={t('auth.failedText')}
        actions={
          <Button type="primary" onClick={() => void signInAgain(manager, '/')}>
            {t('auth.again')}
          </Button>
        }
      />
    );
  }
  if (!auth) {
    return (
      <div role="status" aria-live="polite" style={{ display: 'grid', placeItems: 'center', minHeight: '100vh' }}>
        <Spin size="large" description={t('auth.signingIn')} />
      </div>
    );
  }
  return <AuthContext.Provider value={auth}>{children}</AuthContext.Provider>;
}
