import { randomUUID } from "node:crypto";

import type { NextConfig } from "next";

// One id per build: Next's own (`.next/BUILD_ID`) and the service worker's stamp (src/app/sw.js/route.ts). A release
// pipeline may pin it (e.g. to the commit) with PORTAL_BUILD_ID; the value is inlined at build time.
const buildId = process.env.PORTAL_BUILD_ID || randomUUID();

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  generateBuildId: () => buildId,
  env: { PORTAL_BUILD_ID: buildId },
  // The BFF pass-through must see whether a path ends in "/": the control plane has paths of both kinds
  // (`…/ops/tenants/`, `…/subscription`). Next's default 308 from `/x/` to `/x` would lose that.
  skipTrailingSlashRedirect: true,
  // The shared packages (web/packages/*) are TypeScript source in the workspace: Next compiles them with the app.
  transpilePackages: ["@tenantry/api-client", "@tenantry/i18n", "@tenantry/theming", "@tenantry/ui"],
  // `forbidden()` (next/navigation) with a forbidden.tsx page: /staff answers 403 to a signed-in user who is not staff.
  experimental: { authInterrupts: true },
};

export default config;
