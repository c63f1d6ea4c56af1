import { afterAll, afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';
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

afterEach(async () => {
  if (!browser) return;
  cleanup();
  localStorage.clear();
  sessionStorage.clear();
  await drained();
});

afterAll(endFile);
