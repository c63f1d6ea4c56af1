import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API and the issuer during `vite dev`: make run's server, whose /config.json
// names its own issuer and an API on the same origin.
const api = process.env.RAPPORT_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // The first load is checked by scripts/check-size.mjs, against its own budget.
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: {
      '/config.json': api,
      '/v1': api,
      '/dev': api,
    },
  },
});
