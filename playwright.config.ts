import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from './tests/helpers/chromium-args';

// Debian's chromium, never a downloaded one: `npx playwright install` needs the internet. When
// it is absent the browser specs skip, or fail under GENOS_REQUIRE_BACKENDS=1
// (see tests/e2e/fixtures/chromium.ts).

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  // Each test starts its own `genos serve`; one at a time keeps the 2-core CI machine calm.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    colorScheme: 'light',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: CHROMIUM_EXECUTABLE,
      args: CHROMIUM_ARGS,
    },
  },
});
