/** The control plane as the portal's server sees it: its URL from CONTROL_PLANE_URL, and typed clients. */

import { type ControlPlaneClient, createControlPlaneClient } from "@tenantry/api-client";

export function controlPlaneUrl(): string {
  return (process.env.CONTROL_PLANE_URL ?? "http://localhost:8000").replace(/\/+$/, "");
}

/** A client of the control plane that sends `access` (when given) as the bearer token. */
export function controlPlane(access?: string | null): ControlPlaneClient {
  return createControlPlaneClient(controlPlaneUrl(), () => access);
}
