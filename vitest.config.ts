import { defineConfig } from "vitest/config";

/** What both projects share. */
const common = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  restoreMocks: true,
  unstubEnvs: true,
  // Two cores: forks keep child processes and native sockets isolated per file.
  pool: "forks",
  // expect.poll waits for a positive signal; its 1 s default failed on a loaded 2-core machine
  // while the signal was still on its way. A longer wait costs nothing when the signal comes.
  expect: { poll: { timeout: 10_000 } },
} as const;

export default defineConfig({
  test: {
    // At the root only: it starts Redis and dockerd once for both projects.
    globalSetup: ["test/helpers/global-setup.ts"],
    // `npm test` runs both; `npm run test:unit` only the tests beside the code.
    projects: [
      { test: { ...common, name: "unit", include: ["src/**/*.test.ts"] } },
      { test: { ...common, name: "integration", include: ["test/**/*.test.ts"] } },
    ],
  },
});
