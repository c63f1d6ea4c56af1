import { afterAll, afterEach } from 'vitest';
import { cleanup, configure } from '@testing-library/react';
import { drained, endFile } from './immediates';

// jsdom has no matchMedia; antd's breakpoints and responsive table columns ask for it.
// Every query answers as a wide screen.
const browser = typeof window !== 'undefined';

if (browser && !window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: /min-width/.test(query),
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

// Nor ResizeObserver, which antd's tables and overflowing menus use; nothing here has
// a size, so an observer that never reports is enough.
if (browser && typeof window.ResizeObserver === 'undefined') {
  window.ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
}

// The tests run on shared, busy machines, where antd's first render of a table or a form
// in jsdom, or a lazy page's chunk, can take seconds. Every findBy and waitFor waits up to
// 15 s (it ends as soon as its condition holds, so a fast machine does not wait), and
// every test up to 60 s (vitest.config.ts): one allowance for all, not one per test.
configure({ asyncUtilTimeout: 15_000 });

afterEach(async () => {
  if (!browser) return;
  cleanup();
  localStorage.clear();
  sessionStorage.clear();
  await drained();
});

afterAll(endFile);
