/** The control plane as the portal's server sees it: its URL from CONTROL_PLANE_URL, and typed clients. */

import { type ControlPlaneClient, createControlPlaneClient } from "@tenantry/api-client";

export function controlPlaneUrl(): string {
  return (process.env.CONTROL_PLANE_URL ?? "http://localhost:8000").replace(/\/+$/, "");
}

/**
 * Next.js's server-side fetch drops the body of a `Request` object passed to it
 * (vercel/next.js#64059), which is how openapi-fetch calls fetch: send the URL and its parts instead.
 */
async function fetchParts(request: Request): Promise<Response> {
  const body = ["GET", "HEAD"].includes(request.method) ? undefined : await request.arrayBuffer();
  return fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: body && body.byteLength ? body : undefined,
    redirect: "manual",
    cache: "no-store",
    signal: request.signal,
  });
}

/** A client of the control plane that sends `access` (when given) as the bearer token. */
export function controlPlane(access?: string | null): ControlPlaneClient {
  return createControlPlaneClient(controlPlaneUrl(), () => access, { fetch: fetchParts });
}
