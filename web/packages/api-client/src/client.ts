/**
 * The typed clients of the two APIs: openapi-fetch over the generated `paths`, with the access
 * token sent as a bearer token and every error status thrown as a ProblemError.
 */

import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { components as ControlPlaneComponents, paths as ControlPlanePaths } from "./generated/control-plane";
import type { components as StoreComponents, paths as StorePaths } from "./generated/tenant-app";
import { type Problem, ProblemError } from "./problem";

/** The current access token, or nothing for an anonymous request; asked before every request. */
export type TokenProvider = () => string | null | undefined | Promise<string | null | undefined>;

export type ControlPlaneClient = Client<ControlPlanePaths>;
export type StoreClient = Client<StorePaths>;

/** How a client sends its requests; by default the global `fetch` at call time. */
export interface ClientOptions {
  fetch?: (request: Request) => Promise<Response>;
}

// Fails to compile when a project's `Problem` component no longer fits ProblemError.
type Fits<Actual extends Expected, Expected> = Actual;
export type StoreProblem = Fits<StoreComponents["schemas"]["Problem"], Problem>;
/** Every problem code the tenant app documents. */
export type StoreProblemCode = StoreProblem["code"];
export type ControlPlaneProblem = Fits<ControlPlaneComponents["schemas"]["Problem"], Problem>;
/** Every problem code the control plane documents. */
export type ControlPlaneProblemCode = ControlPlaneProblem["code"];

/** The control plane's API (portal, signup, tenants, billing, search) at `baseUrl`, e.g. `https://tenantry.example`. */
export function createControlPlaneClient(
  baseUrl: string,
  tokenProvider: TokenProvider,
  options: ClientOptions = {},
): ControlPlaneClient {
  return createApiClient<ControlPlanePaths>(baseUrl, tokenProvider, options);
}

/** One store's API, on the store's own host: `storeUrl` is e.g. `https://acme.tenantry.example`. */
export function createStoreClient(storeUrl: string, tokenProvider: TokenProvider, options: ClientOptions = {}): StoreClient {
  return createApiClient<StorePaths>(storeUrl, tokenProvider, options);
}

/**
 * A client of any Tenantry API described by `Paths`. A call resolves with `data` for a success
 * status and rejects with a ProblemError for an error status (4xx, 5xx); a network failure
 * rejects with fetch's own TypeError.
 */
export function createApiClient<Paths extends {}>(
  baseUrl: string,
  tokenProvider: TokenProvider,
  options: ClientOptions = {},
): Client<Paths> {
  const client = createClient<Paths>({ baseUrl: baseUrl.replace(/\/+$/, ""), ...options });
  client.use(bearerToken(tokenProvider), problemDetails);
  return client;
}

function bearerToken(tokenProvider: TokenProvider): Middleware {
  return {
    async onRequest({ request }) {
      const token = await tokenProvider();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
  };
}

const problemDetails: Middleware = {
  async onResponse({ response }) {
    if (response.status >= 400) throw await ProblemError.fromResponse(response);
    return undefined;
  },
};
