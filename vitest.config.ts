import react from '@vitejs/plugin-react';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Scenario files start real servers and databases; two cores, so two workers.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          // One process per worker for all these files, not one per file: each file imported
          // the whole server anew (77 s of 220 on two cores). They share no module state: every
          // server, database and cache a test makes is its own.
          isolate: false,
          include: ['apps/*/src/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'packages/*/src/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'apps/web/**'],
        },
      },
      // The web app's logic and components, in a simulated DOM.
      {
        extends: true,
        plugins: [react()],
        test: { name: 'web', include: ['apps/web/src/**/*.test.{ts,tsx}'], environment: 'happy-dom', setupFiles: ['apps/web/src/test/setup.ts'] },
      },
      // Journeys in a real browser (Debian chromium) against a real server; they build the app first if needed.
      {
        extends: true,
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'] },
      },
    ],
  },
});
