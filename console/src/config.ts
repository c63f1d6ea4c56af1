/**
 * The console's settings, read at start from /config.json: make run answers it itself,
 * and a deployment puts it beside the built files. The build names no issuer or API.
 */
export interface ConsoleConfig {
  /** The OpenID Connect issuer (a Cognito user pool, or make run's local issuer). */
  issuer: string;
  /** The console's app client at the issuer (public: PKCE, no secret). */
  clientId: string;
  /** The API's base URL; "" for the console's own origin. */
  apiBase: string;
}

/** Checks /config.json's body, naming the first field that is wrong. */
export function parseConfig(raw: unknown): ConsoleConfig {
  if (typeof raw !== 'object' || raw === null) throw new Error('not a JSON object');
  const o = raw as Record<string, unknown>;
  const issuer = o.issuer;
  if (typeof issuer !== 'string' || !/^https?:\/\//.test(issuer)) {
    throw new Error('issuer must be an http(s) URL');
  }
  if (typeof o.clientId !== 'string' || o.clientId === '') throw new Error('clientId must be a non-empty string');
  const apiBase = o.apiBase ?? '';
  if (typeof apiBase !== 'string' || (apiBase !== '' && !/^https?:\/\//.test(apiBase))) {
    throw new Error('apiBase must be "" or an http(s) URL');
  }
  return { issuer: issuer.replace(/\/+$/, ''), clientId: o.clientId, apiBase: apiBase.replace(/\/+$/, '') };
}

export async function loadConfig(fetchImpl: typeof fetch = fetch): Promise<ConsoleConfig> {
  const res = await fetchImpl('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return parseConfig(await res.json());
}
