import { afterAll, afterEach } from 'vitest';
import { cleanup } from '@testing-library/react';

// React's scheduler runs its work in setImmediate tasks, a few milliseconds each, each
// queuing the next while work is left. A commit that landed outside act (a fetch
// answered late) leaves that chain running after a test; after a file's last test the
// environment is torn down, and a task still queued reads window.event and throws
// "window is not defined". Count the tasks queued (this file runs before the scheduler
// is loaded, so it queues through here), and let each test, and each file, end only when
// none is left: a fixed wait is too short on a busy machine, where one render of a long
// form takes many tasks.
let queued = 0;
const realSetImmediate = globalThis.setImmediate;
if (realSetImmediate) {
  globalThis.setImmediate = ((fn: (...args: unknown[]) => void, ...args: unknown[]) => {
    queued++;
    return realSetImmediate(() => {
      queued--;
      fn(...args);
    });
  }) as typeof setImmediate;
}

async function drained() {
  // Two seconds at most: a chain that never ends is a bug the tests should show, not hang on.
  for (let waited = 0; waited < 2000; waited += 5) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (queued === 0) return;
  }
}

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

afterAll(drained);
