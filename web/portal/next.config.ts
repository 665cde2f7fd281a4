import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The API client is TypeScript source in the workspace: Next compiles it with the app.
  transpilePackages: ["@tenantry/api-client"],
};

export default config;
