// @vitest-environment node
/**
 * The BFF's session helper against a local HTTP server answering as the control plane's refresh/
 * does, and its Origin check.
 */

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { sameOrigin } from "@/lib/csrf";
import { expiresAt, heldAccess, holdPair, refreshSession } from "@/lib/session";

import { json, type StandIn, startStandIn } from "../../packages/api-client/tests/stand-in";

let api: StandIn;

beforeAll(async () => {
  api = await startStandIn();
  process.env.CONTROL_PLANE_URL = api.url;
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.requests.length = 0;
});

/** An unsigned JWT-shaped token that expires at `exp` (seconds); the portal only reads its claims. */
function token(exp: number, id: string): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none" })}.${part({ exp, jti: id })}.sig`;
}

describe("the session", () => {
  it("reads an access token's expiry from its claims, and gives a minute to one it cannot read", () => {
    expect(expiresAt(token(2_000_000_000, "a"))).toBe(2_000_000_000_000);
    expect(expiresAt("opaque", 1_000)).toBe(61_000);
  });

  it("holds an access token until shortly before it expires", () => {
    const now = Date.now();
    holdPair({ access: token(Math.floor(now / 1000) + 300, "b"), refresh: "refresh-b" });
    holdPair({ access: token(Math.floor(now / 1000) + 5, "c"), refresh: "refresh-c" });
    expect(heldAccess("refresh-b", now)).not.toBeNull();
    expect(heldAccess("refresh-c", now)).toBeNull(); // within the leeway: refresh now
    expect(heldAccess("unknown", now)).toBeNull();
    expect(heldAccess(undefined, now)).toBeNull();
  });

  it("refreshes once for concurrent callers, and gives the new pair to a late caller with the old token", async () => {
    const fresh = { access: token(Math.floor(Date.now() / 1000) + 300, "d"), refresh: "refresh-d2" };
    api.answer(json(200, fresh));

    const [first, second] = await Promise.all([refreshSession("refresh-d1"), refreshSession("refresh-d1")]);
    const late = await refreshSession("refresh-d1");

    expect(first).toEqual(fresh);
    expect(second).toEqual(fresh);
    expect(late).toEqual(fresh);
    expect(api.requests).toHaveLength(1);
    expect(api.requests[0]?.url).toBe("/api/v1/auth/refresh/");
    expect(JSON.parse(api.requests[0]?.body ?? "")).toEqual({ refresh: "refresh-d1" });
    expect(heldAccess("refresh-d2")).toBe(fresh.access);
  });

  it("ends the session when the control plane refuses the token", async () => {
    api.answer(json(401, { type: "about:blank", title: "t", status: 401, detail: "d", code: "token_not_valid" }));
    await expect(refreshSession("refresh-e")).resolves.toBeNull();
  });

  it("rejects when the control plane fails, so that the page can say so", async () => {
    api.answer({ status: 503, contentType: "text/html", body: "<h1>down</h1>" });
    await expect(refreshSession("refresh-f")).rejects.toThrow();
  });
});

describe("the Origin check", () => {
  const post = (headers: Record<string, string>) =>
    new Request("http://localhost:3000/bff/sign-in", { method: "POST", headers: { host: "localhost:3000", ...headers } });

  it("lets the portal's own pages post", () => {
    expect(sameOrigin(post({ origin: "http://localhost:3000" }))).toBe(true);
  });

  it("refuses another site and a request without Origin", () => {
    expect(sameOrigin(post({ origin: "https://evil.example" }))).toBe(false);
    expect(sameOrigin(post({ origin: "http://localhost:3001" }))).toBe(false);
    expect(sameOrigin(post({}))).toBe(false);
  });
});
