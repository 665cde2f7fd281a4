// One `vitest run` from web/ runs every workspace package's tests.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: ["packages/*", "portal"],
  },
});
