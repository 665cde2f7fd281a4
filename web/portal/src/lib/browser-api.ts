/**
 * The control plane's API as the browser reaches it: through the BFF (/bff/api/v1/…), which adds the
 * session's access token. Same typed client as the server's; a failed call rejects with a ProblemError.
 */

import { createControlPlaneClient } from "@tenantry/api-client";

export const BFF_BASE = "/bff";

export const portalApi = createControlPlaneClient(BFF_BASE, () => null);
