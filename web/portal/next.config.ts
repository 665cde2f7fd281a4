import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The BFF's pass-through (/bff/api/…/) keeps the API's trailing slashes: without this, Next answers
  // /bff/api/v1/ops/tenants/ with a redirect to the path without its slash, which the API does not serve.
  skipTrailingSlashRedirect: true,
  // The API client is TypeScript source in the workspace: Next compiles it with the app.
  transpilePackages: ["@tenantry/api-client"],
};

export default config;
