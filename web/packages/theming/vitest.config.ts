import { defineConfig } from "vitest/config";

export default defineConfig({
  esbuild: { jsx: "automatic" },
  test: {
    name: "theming",
    environment: "jsdom",
    include: ["tests/**/*.test.{ts,tsx}"],
  },
});
