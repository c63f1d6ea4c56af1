import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import type { ConsoleConfig } from '../config';
import { CALLBACK_PATH } from './session';

/**
 * The OpenID Connect client: authorization code with PKCE (oidc-client-ts always uses
 * S256), the scopes both Cognito's console client and the local issuer grant, tokens
 * kept in this tab's sessionStorage, and renewal by refresh token before expiry.
 */
export function createUserManager(config: ConsoleConfig, origin: string): UserManager {
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: origin + CALLBACK_PATH,
    post_logout_redirect_uri: origin + '/',
    response_type: 'code',
    scope: 'openid profile email',
    automaticSilentRenew: true,
    loadUserInfo: false,
    monitorSession: false,
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
  });
}
