import { defineConfig } from 'vitest/config';
import { HangWatchdog } from './test/helpers/hang-watchdog.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A hung run fails with the tests still running and the process list, not a silent CI timeout.
    reporters: ['default', new HangWatchdog()],
  },
});
