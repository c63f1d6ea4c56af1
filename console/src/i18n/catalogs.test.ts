import { describe, expect, it } from 'vitest';
import type { Catalog } from '.';

// Every area's catalogue (src/i18n/<area>.ts), found by file so that a new area is
// checked without being listed here.
const areas = import.meta.glob<{ default: Catalog<string> }>(['./*.ts', '!./index.ts', '!./*.test.ts'], { eager: true });

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogues', () => {
  it('are found', () => {
    expect(Object.keys(areas)).toEqual(expect.arrayContaining(['./shell.ts', './common.ts', './settings.ts']));
  });

  for (const [file, { default: cat }] of Object.entries(areas)) {
    describe(file, () => {
      const en = cat.en;
      const zh = cat['zh-CN'];

      it('has the same keys in both languages', () => {
        expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
      });

      it('has no empty message', () => {
        for (const [k, v] of [...Object.entries(en), ...Object.entries(zh)]) {
          expect(v.trim(), k).not.toBe('');
        }
      });

      it('translates every message not listed as the same on purpose', () => {
        const untranslated = Object.keys(en).filter((k) => zh[k] === en[k] && !cat.same.includes(k));
        expect(untranslated).toEqual([]);
      });

      it('lists as the same only keys that exist and are the same', () => {
        for (const k of cat.same) {
          expect(en[k], k).toBeDefined();
          expect(zh[k], k).toBe(en[k]);
        }
      });

      it('uses the same placeholders in both languages', () => {
        for (const k of Object.keys(en)) {
          expect(placeholders(zh[k] ?? ''), k).toEqual(placeholders(en[k] ?? ''));
        }
      });
    });
  }
});
