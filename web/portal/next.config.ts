import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The BFF's pass-through (/bff/api/v1/…/) keeps the API's trailing slashes: without this, Next answers them
  // with a redirect to the path without the slash, which the control plane then redirects back.
  skipTrailingSlashRedirect: true,
  // The API client is TypeScript source in the workspace: Next compiles it with the app.
  transpilePackages: ["@tenantry/api-client"],
};

export default config;
