import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "api-client",
    include: ["tests/**/*.test.ts"],
  },
});
