import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../auth/principal';
import { initialSelection, selectionKey, visibleLocations, type Location } from './locations';

const loc = (locationId: string, name: string): Location => ({ locationId, name, timeZone: 'Asia/Shanghai' });
const all = [loc('sh-01', 'Shanghai'), loc('bj-02', 'Beijing'), loc('gz-03', 'Guangzhou')];

describe('visibleLocations', () => {
  it('keeps the token locations, by name', () => {
    const p = principalFromClaims({ 'cognito:groups': ['agent'], 'custom:locations': 'sh-01,gz-03' });
    expect(visibleLocations(all, p).map((l) => l.name)).toEqual(['Guangzhou', 'Shanghai']);
  });

  it('keeps every location for all, and none without a claim', () => {
    const admin = principalFromClaims({ 'cognito:groups': ['admin'], 'custom:locations': '*' });
    expect(visibleLocations(all, admin)).toHaveLength(3);
    expect(visibleLocations(all, principalFromClaims({ 'cognito:groups': ['agent'] }))).toEqual([]);
  });
});

describe('initialSelection', () => {
  it('keeps the remembered location while it is visible', () => {
    expect(initialSelection('bj-02', all)).toBe('bj-02');
    expect(initialSelection('gone', all)).toBeUndefined();
  });

  it('picks the only location, else all of mine', () => {
    expect(initialSelection(null, [all[0]!])).toBe('sh-01');
    expect(initialSelection(null, all)).toBeUndefined();
    expect(initialSelection(null, [])).toBeUndefined();
  });

  it('remembers per person', () => {
    expect(selectionKey('a')).not.toBe(selectionKey('b'));
  });
});
