import { defineConfig } from "vitest/config";

export default defineConfig({
  esbuild: { jsx: "automatic" },
  test: {
    name: "ui",
    environment: "jsdom",
    include: ["tests/**/*.test.{ts,tsx}"],
  },
});
