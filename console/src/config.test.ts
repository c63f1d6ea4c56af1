import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from './config';

describe('parseConfig', () => {
  it('reads make run config (API on the same origin)', () => {
    expect(parseConfig({ issuer: 'http://127.0.0.1:8080/dev/issuer', clientId: 'rapport-console', apiBase: '' })).toEqual({
      issuer: 'http://127.0.0.1:8080/dev/issuer',
      clientId: 'rapport-console',
      apiBase: '',
    });
  });

  it('drops trailing slashes and takes a missing apiBase as the same origin', () => {
    expect(parseConfig({ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/pool/', clientId: 'abc', apiBase: 'https://api.example.com/' })).toEqual({
      issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/pool',
      clientId: 'abc',
      apiBase: 'https://api.example.com',
    });
    expect(parseConfig({ issuer: 'https://i.example', clientId: 'abc' }).apiBase).toBe('');
  });

  it.each([
    [null, 'not a JSON object'],
    [{ clientId: 'a' }, 'issuer'],
    [{ issuer: 'ftp://x', clientId: 'a' }, 'issuer'],
    [{ issuer: 'https://x' }, 'clientId'],
    [{ issuer: 'https://x', clientId: 'a', apiBase: 'javascript:alert(1)' }, 'apiBase'],
  ])('refuses %j, naming %s', (raw, field) => {
    expect(() => parseConfig(raw)).toThrow(field);
  });
});

describe('loadConfig', () => {
  it('fails with the HTTP status when /config.json is not there', async () => {
    const f = (async () => new Response('no', { status: 404 })) as typeof fetch;
    await expect(loadConfig(f)).rejects.toThrow('HTTP 404');
  });
});
