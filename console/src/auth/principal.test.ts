import { describe, expect, it } from 'vitest';
import { claimList, mayActAt, principalFromClaims, topRole } from './principal';

describe('claimList', () => {
  it.each([
    ['a JSON array (Cognito groups in an ID token)', ['agent', 'manager'], ['agent', 'manager']],
    ['API Gateway flattened', '[agent manager]', ['agent', 'manager']],
    ['a JSON array in a string', '["agent","admin"]', ['agent', 'admin']],
    ['a comma list', 'lobby,spa', ['lobby', 'spa']],
    ['one value', 'lobby', ['lobby']],
    ['empty', '', []],
    ['missing', undefined, []],
    ['not text', 42, []],
    ['an unbalanced bracket, kept whole', '[agent', ['[agent']],
  ])('reads %s', (_, v, want) => {
    expect(claimList(v)).toEqual(want);
  });
});

describe('principalFromClaims', () => {
  const base = { sub: 'u-1', email: 'li@example.com' };

  it('reads roles and locations as the API does', () => {
    const p = principalFromClaims({ ...base, 'cognito:groups': ['manager', 'viewers', 'manager'], 'custom:locations': 'sh-01,bj-02,sh-01' });
    expect(p).toEqual({ subject: 'u-1', name: 'li@example.com', roles: ['manager'], locations: ['sh-01', 'bj-02'], all: false });
  });

  it('gives all locations for "*" to an administrator only', () => {
    expect(principalFromClaims({ ...base, 'cognito:groups': ['admin'], 'custom:locations': '*' })).toMatchObject({ all: true, locations: [] });
    expect(principalFromClaims({ ...base, 'cognito:groups': ['manager'], 'custom:locations': '*' })).toMatchObject({ all: false, locations: [] });
  });

  it('reads an unreadable locations claim as none', () => {
    expect(principalFromClaims({ ...base, 'custom:locations': 'sh-01,*' }).locations).toEqual([]);
    expect(principalFromClaims({ ...base, 'custom:locations': 'sh-01,bad id!' }).locations).toEqual([]);
  });

  it('has no location and no role without the claims', () => {
    expect(principalFromClaims(base)).toMatchObject({ roles: [], locations: [], all: false });
  });

  it('names the person by name, else email, else user name, else subject', () => {
    expect(principalFromClaims({ ...base, name: 'Li Wei' }).name).toBe('Li Wei');
    expect(principalFromClaims({ sub: 's', 'cognito:username': 'dev-agent' }).name).toBe('dev-agent');
    expect(principalFromClaims({ sub: 's' }).name).toBe('s');
  });
});

describe('topRole and mayActAt', () => {
  it('picks the highest role', () => {
    expect(topRole(principalFromClaims({ 'cognito:groups': ['agent', 'admin', 'manager'] }))).toBe('admin');
    expect(topRole(principalFromClaims({}))).toBeUndefined();
  });

  it('allows the token locations, or every one for all', () => {
    const p = principalFromClaims({ 'cognito:groups': ['agent'], 'custom:locations': 'sh-01' });
    expect(mayActAt(p, 'sh-01')).toBe(true);
    expect(mayActAt(p, 'bj-02')).toBe(false);
    const admin = principalFromClaims({ 'cognito:groups': ['admin'], 'custom:locations': '*' });
    expect(mayActAt(admin, 'bj-02')).toBe(true);
  });
});
