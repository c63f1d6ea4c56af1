import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

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
  // A commit that landed outside act (a fetch answered late) leaves React's passive
  // effects queued in its scheduler, which runs them on a later turn of the event loop
  // and reads window.event first. Let that turn come while jsdom still exists; after the
  // file's last test the environment is torn down and the queued task would throw
  // "window is not defined".
  await new Promise((resolve) => setTimeout(resolve, 10));
});
