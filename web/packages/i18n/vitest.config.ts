import { fileURLToPath } from "node:url";

import { defineConfig } from "vitest/config";

export default defineConfig({
  // "server-only" throws outside a React Server Components build: the tests stand for the server.
  resolve: { alias: { "server-only": fileURLToPath(new URL("./tests/server-only.ts", import.meta.url)) } },
  esbuild: { jsx: "automatic" },
  test: {
    name: "i18n",
    environment: "jsdom",
    include: ["tests/**/*.test.{ts,tsx}"],
  },
});
