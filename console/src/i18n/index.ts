import { useCallback, useSyncExternalStore } from 'react';

/** The console's languages: Simplified Chinese and English. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export type Vars = Record<string, string | number>;

/**
 * One area's messages in both languages, with the same keys. `same` lists the keys whose
 * text is rightly equal in both (brand names, units), so that the catalogue test can
 * tell an untranslated string from a deliberate one.
 */
export interface Catalog<K extends string> {
  en: Record<K, string>;
  'zh-CN': Record<K, string>;
  same: readonly K[];
}

/**
 * Builds an area's catalogue. The Chinese messages must have exactly the English keys:
 * a missing or extra key fails the type check.
 */
export function catalog<const E extends Record<string, string>>(
  en: E,
  zh: { [K in keyof E]: string },
  same: readonly (keyof E & string)[] = [],
): Catalog<keyof E & string> {
  return { en, 'zh-CN': zh, same };
}

/** Replaces each {name} in s with vars.name; unknown names are left as they are. */
export function interpolate(s: string, vars?: Vars): string {
  if (!vars) return s;
  return s.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole,
  );
}

/** The message key of cat in locale, with vars filled in. */
export function t<K extends string>(cat: Catalog<K>, locale: Locale, key: K, vars?: Vars): string {
  return interpolate(cat[locale][key], vars);
}

export const LOCALE_STORAGE_KEY = 'rapport.locale';

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/**
 * The language to start in: the one picked before (remembered), else the browser's
 * first preference that is Chinese or English, else English.
 */
export function detectLocale(remembered: string | null, languages: readonly string[]): Locale {
  if (isLocale(remembered)) return remembered;
  for (const lang of languages) {
    const l = lang.toLowerCase();
    if (l === 'zh' || l.startsWith('zh-')) return 'zh-CN';
    if (l === 'en' || l.startsWith('en-')) return 'en';
  }
  return 'en';
}

function readRemembered(): string | null {
  try {
    return localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    return null; // storage refused (private mode): the browser's language decides
  }
}

let current: Locale = detectLocale(
  readRemembered(),
  typeof navigator === 'undefined' ? [] : navigator.languages,
);
const listeners = new Set<() => void>();

export function getLocale(): Locale {
  return current;
}

/** Switches the language and remembers it for the next visit. */
export function setLocale(locale: Locale): void {
  if (locale === current) return;
  current = locale;
  try {
    localStorage.setItem(LOCALE_STORAGE_KEY, locale);
  } catch {
    // not remembered; the switch still holds for this visit
  }
  for (const l of listeners) l();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current language; the component renders again when it changes. */
export function useLocale(): Locale {
  return useSyncExternalStore(subscribe, getLocale, getLocale);
}

/** A translation function for one area's catalogue, in the current language. */
export function useT<K extends string>(cat: Catalog<K>): (key: K, vars?: Vars) => string {
  const locale = useLocale();
  return useCallback((key: K, vars?: Vars) => t(cat, locale, key, vars), [cat, locale]);
}
