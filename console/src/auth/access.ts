import type { Principal, Role } from './principal';

/**
 * What each role may do in the console, as the wiring table's routes allow it
 * (shared/wiring/table.go): a page's entry or a button is offered only to the roles the
 * API would let through. The API still decides; this only keeps refusals from being
 * offered.
 */
const STAFF: readonly Role[] = ['agent', 'manager', 'admin'];
const MANAGER_UP: readonly Role[] = ['manager', 'admin'];
const ADMIN: readonly Role[] = ['admin'];

export const ACTIONS = {
  // pages
  'page.today': STAFF,
  'page.complaints': STAFF,
  'page.surveys': STAFF,
  'page.customers': STAFF,
  'page.counter': STAFF,
  'page.vouchers': STAFF,
  'page.followups': STAFF,
  'page.team': STAFF,
  'page.segments': MANAGER_UP,
  'page.rewards': ADMIN,
  'page.settings': ADMIN,
  // surveys
  'survey.define': MANAGER_UP,
  'survey.invite': STAFF,
  'survey.link': MANAGER_UP,
  'survey.export': MANAGER_UP,
  // complaints
  'complaint.act': STAFF,
  'complaint.manage': MANAGER_UP,
  'complaint.settings': ADMIN,
  // loyalty and visits
  'loyalty.adjust': MANAGER_UP,
  'loyalty.reverse': MANAGER_UP,
  'loyalty.member': STAFF,
  'loyalty.settings': ADMIN,
  'visit.report': MANAGER_UP,
  // rewards and vouchers
  'reward.edit': ADMIN,
  'voucher.issue': MANAGER_UP,
  'voucher.cancel': MANAGER_UP,
  'voucher.reverse': MANAGER_UP,
  'voucher.report': MANAGER_UP,
  // customers
  'customer.create': STAFF,
  'customer.edit': STAFF,
  'customer.merge': MANAGER_UP,
  'customer.export': MANAGER_UP,
  'customer.erase': MANAGER_UP,
  // follow-ups, segments
  'followup.schedule': STAFF,
  'followup.cancel': STAFF,
  'segment.create': MANAGER_UP,
  'segment.campaign': MANAGER_UP,
  'value.settings': ADMIN,
  'value.winBack': MANAGER_UP,
  // staff: the directory of names (an agent's Team page shows their own figures)
  'staff.name': MANAGER_UP,
  // locations
  'location.create': ADMIN,
  'location.edit': ADMIN,
} as const satisfies Record<string, readonly Role[]>;

export type Action = keyof typeof ACTIONS;

/** Whether a role may take action. */
export function roleCan(role: Role, action: Action): boolean {
  return (ACTIONS[action] as readonly Role[]).includes(role);
}

/** Whether any of the person's roles may take action. */
export function can(p: Principal | undefined, action: Action): boolean {
  return p !== undefined && p.roles.some((r) => roleCan(r, action));
}
