// React's scheduler runs its work in setImmediate tasks, a few milliseconds each, each
// queuing the next while work is left. A commit that landed outside act (a fetch
// answered late) leaves that chain running after a test; after a file's last test the
// environment is torn down, and a task still queued reads window.event and throws
// "window is not defined".
//
// The scheduler keeps the setImmediate it finds when it is first loaded. So this file
// has no imports and is the first of vitest's setupFiles: it counts the tasks before
// anything loads React (setup.ts imports Testing Library, which does). setup.ts lets each
// test, and each file, end only when none is left; once a file has ended, a task still
// run would only work on trees already unmounted, in an environment being torn down, and
// is dropped.
let queued = 0;
let ended = false;
const realSetImmediate = globalThis.setImmediate;
if (realSetImmediate) {
  globalThis.setImmediate = ((fn: (...args: unknown[]) => void, ...args: unknown[]) => {
    queued++;
    return realSetImmediate(() => {
      queued--;
      if (!ended) fn(...args);
    });
  }) as typeof setImmediate;
}

/** Waits until no task is queued: two seconds at most, for a chain that never ends is a bug the tests should show, not hang on. */
export async function drained() {
  for (let waited = 0; waited < 2000; waited += 5) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (queued === 0) return;
  }
}

/** After a file's last test: lets what is queued run, then drops whatever is queued later. */
export async function endFile() {
  await drained();
  ended = true;
}
