import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The BFF's pass-through keeps the API's trailing slashes (`…/invoices/`): Next must not redirect them away.
  skipTrailingSlashRedirect: true,
  // The API client is TypeScript source in the workspace: Next compiles it with the app.
  transpilePackages: ["@tenantry/api-client"],
};

export default config;
