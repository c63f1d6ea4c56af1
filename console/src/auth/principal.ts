/**
 * Who is signed in, read from the ID token's claims the way Rapport's API reads them
 * (shared/auth): roles from cognito:groups, locations from custom:locations, "*" for
 * all locations only for an administrator, anything unreadable as no location. The API
 * decides what is allowed; the console uses this only to leave out what would be refused.
 */

export const ROLES = ['agent', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ALL_LOCATIONS = '*';

export interface Principal {
  subject: string;
  /** What to call the person in the header: name, else email, else user name. */
  name: string;
  /** Staff roles from the token's groups, in the token's order. */
  roles: Role[];
  /** Location ids the person may act on; empty when all is true. */
  locations: string[];
  /** All locations ("*", administrators only). */
  all: boolean;
}

const LOCATION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}

/**
 * A claim that is a list: a JSON array (Cognito's groups), or a string holding one
 * ("[a b]" as API Gateway flattens arrays, a JSON array, or a comma list).
 */
export function claimList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  if (typeof v !== 'string') return [];
  const s = v.trim();
  if (s === '') return [];
  if (s.startsWith('[') && s.includes('"')) {
    try {
      const parsed: unknown = JSON.parse(s);
      return claimList(Array.isArray(parsed) ? parsed : [s]);
    } catch {
      return [s];
    }
  }
  if (s.startsWith('[') !== s.endsWith(']')) return [s];
  return s
    .replace(/^\[/, '')
    .replace(/\]$/, '')
    .split(/[, ]/)
    .filter((x) => x !== '');
}

export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const str = (k: string) => (typeof claims[k] === 'string' ? (claims[k] as string) : '');
  const roles: Role[] = [];
  for (const g of claimList(claims['cognito:groups'])) {
    if (isRole(g) && !roles.includes(g)) roles.push(g);
  }
  const list = claimList(claims['custom:locations']);
  let locations: string[] = [];
  let all = false;
  if (list.length === 1 && list[0] === ALL_LOCATIONS) {
    all = roles.includes('admin');
  } else if (list.every((id) => LOCATION_ID.test(id))) {
    locations = [...new Set(list)];
  }
  const subject = str('sub');
  return {
    subject,
    name: str('name') || str('email') || str('cognito:username') || subject,
    roles,
    locations,
    all,
  };
}

const RANK: Record<Role, number> = { agent: 1, manager: 2, admin: 3 };

/** The person's highest role, or undefined for a token with no staff role. */
export function topRole(p: Principal): Role | undefined {
  let top: Role | undefined;
  for (const r of p.roles) if (!top || RANK[r] > RANK[top]) top = r;
  return top;
}

/** Whether the person may act on location id. */
export function mayActAt(p: Principal, locationId: string): boolean {
  return p.all || p.locations.includes(locationId);
}
