import { describe, expect, it } from 'vitest';
import { AREAS, areasFor } from '../areas';
import { can, roleCan } from './access';
import { principalFromClaims } from './principal';

const as = (...groups: string[]) => principalFromClaims({ sub: 'x', 'cognito:groups': groups });

describe('can', () => {
  it('follows the wiring table roles', () => {
    expect(roleCan('agent', 'complaint.act')).toBe(true);
    expect(roleCan('agent', 'survey.define')).toBe(false);
    expect(roleCan('manager', 'survey.define')).toBe(true);
    expect(roleCan('manager', 'location.edit')).toBe(false);
    expect(roleCan('admin', 'location.edit')).toBe(true);
    expect(roleCan('agent', 'page.vouchers')).toBe(true);
    expect(roleCan('agent', 'voucher.reverse')).toBe(false);
    expect(roleCan('manager', 'voucher.cancel')).toBe(true);
    expect(roleCan('manager', 'reward.edit')).toBe(false);
  });

  it('allows what any of the person roles allows', () => {
    expect(can(as('agent', 'admin'), 'page.settings')).toBe(true);
  });

  it('allows nothing without a staff role or a person', () => {
    expect(can(as(), 'page.today')).toBe(false);
    expect(can(as('system'), 'page.today')).toBe(false);
    expect(can(undefined, 'page.today')).toBe(false);
  });
});

describe('the menu', () => {
  const keys = (groups: string[]) => areasFor(as(...groups)).map((a) => a.key);

  it('offers each role only the areas it may open', () => {
    expect(keys(['agent'])).toEqual(['today', 'complaints', 'surveys', 'customers', 'counter', 'vouchers', 'followups', 'team']);
    expect(keys(['manager'])).toEqual(['today', 'complaints', 'surveys', 'customers', 'counter', 'vouchers', 'followups', 'team', 'segments']);
    expect(keys(['admin'])).toEqual(AREAS.map((a) => a.key));
    expect(keys([])).toEqual([]);
  });
});
