import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.ts';

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      environment: 'jsdom',
      include: ['src/**/*.test.{ts,tsx}'],
      setupFiles: ['src/test/immediates.ts', 'src/test/setup.ts'],
      restoreMocks: true,
      // Above the 15 s a findBy or waitFor may wait (src/test/setup.ts), so a test that fails
      // says which wait failed rather than that it ran out of time.
      testTimeout: 60_000,
    },
  }),
);
