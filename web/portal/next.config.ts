import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The API's paths end in "/": without this, Next answers /bff/api/v1/…/ with a 308 to the path without it,
  // the control plane answers that with a 301 back to the slash, and the browser's fetch loops until it fails.
  skipTrailingSlashRedirect: true,
  // The API client is TypeScript source in the workspace: Next compiles it with the app.
  transpilePackages: ["@tenantry/api-client"],
};

export default config;
