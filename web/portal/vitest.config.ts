import { fileURLToPath } from "node:url";

import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  esbuild: { jsx: "automatic" },
  test: {
    name: "portal",
    environment: "jsdom",
    include: ["tests/**/*.test.{ts,tsx}"],
  },
});
