import { defineConfig } from '@playwright/test';

// The end-to-end specs drive Debian's Chromium (browsers cannot be downloaded here)
// against a running stack: make run's, or a deployed one, named by RAPPORT_CONSOLE_URL.
// Specs take their own screenshots into RAPPORT_SCREENSHOTS. E2E_SPECS (e.g.
// "settings,segments") runs only those spec files: the Go harness passes it through.
const only = process.env.E2E_SPECS?.split(',').filter((s) => s.trim() !== '');

export default defineConfig({
  testDir: 'e2e',
  ...(only?.length ? { testMatch: only.map((s) => `${s.trim()}.spec.ts`) } : {}),
  workers: 1,
  retries: 0,
  // The machines are shared and noisy: an answer may take longer than the default 5 s
  // to show while other work runs; a spec still fails when it never shows.
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: {
    baseURL: process.env.RAPPORT_CONSOLE_URL ?? 'http://127.0.0.1:8080',
    screenshot: 'off',
    trace: 'off',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox'],
    },
  },
});
