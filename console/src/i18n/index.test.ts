import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { LOCALE_STORAGE_KEY, catalog, detectLocale, getLocale, interpolate, setLocale, t, useLocale, useT } from '.';

const cat = catalog({ hello: 'Hello, {name}', bye: 'Bye' }, { hello: '你好，{name}', bye: '再见' });

describe('interpolate', () => {
  it('fills in named values and leaves unknown names', () => {
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(interpolate('{a}{a}', { a: 'x' })).toBe('xx');
    expect(interpolate('plain')).toBe('plain');
  });

  it('does not take names from the prototype', () => {
    expect(interpolate('{toString}', {})).toBe('{toString}');
  });
});

describe('t', () => {
  it('picks the language and fills in values', () => {
    expect(t(cat, 'en', 'hello', { name: 'Li' })).toBe('Hello, Li');
    expect(t(cat, 'zh-CN', 'hello', { name: '李' })).toBe('你好，李');
  });
});

describe('detectLocale', () => {
  it('prefers the remembered choice', () => {
    expect(detectLocale('zh-CN', ['en-GB'])).toBe('zh-CN');
    expect(detectLocale('en', ['zh-CN'])).toBe('en');
  });

  it('ignores a remembered value that is not a locale', () => {
    expect(detectLocale('fr', ['zh-TW'])).toBe('zh-CN');
  });

  it('takes the first Chinese or English browser language', () => {
    expect(detectLocale(null, ['fr-FR', 'zh-Hans-CN', 'en'])).toBe('zh-CN');
    expect(detectLocale(null, ['de', 'en-US', 'zh'])).toBe('en');
    expect(detectLocale(null, ['ZH'])).toBe('zh-CN');
  });

  it('falls back to English', () => {
    expect(detectLocale(null, [])).toBe('en');
    expect(detectLocale(null, ['ja-JP'])).toBe('en');
  });
});

describe('locale state', () => {
  it('switches, remembers and re-renders', () => {
    setLocale('en');
    const { result } = renderHook(() => ({ locale: useLocale(), t: useT(cat) }));
    expect(result.current.t('bye')).toBe('Bye');
    act(() => setLocale('zh-CN'));
    expect(result.current.locale).toBe('zh-CN');
    expect(result.current.t('bye')).toBe('再见');
    expect(getLocale()).toBe('zh-CN');
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('zh-CN');
    act(() => setLocale('en'));
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('en');
  });
});

describe('catalog types', () => {
  it('refuse a key missing or extra in Chinese (checked by tsc in npm run build)', () => {
    // @ts-expect-error a key missing in Chinese
    const missing = catalog({ a: 'A', b: 'B' }, { a: '甲' });
    // @ts-expect-error a key Chinese has and English has not
    const extra = catalog({ a: 'A' }, { a: '甲', b: '乙' });
    expect(missing.en.b).toBe('B');
    expect(extra['zh-CN'].a).toBe('甲');
  });
});
