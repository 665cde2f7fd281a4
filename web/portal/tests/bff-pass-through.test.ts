// @vitest-environment node
/**
 * The BFF's pass-through (/bff/api/v1/…) against a local HTTP server answering as the control plane:
 * the bearer token added from the session, the headers it forwards and drops, the paths it refuses,
 * the Origin check on mutations, the refresh when the access token is gone, and a control plane down.
 */

import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { DELETE, GET, POST } from "@/app/bff/api/[...path]/route";
import { holdPair, REFRESH_COOKIE } from "@/lib/session";

import { json, type StandIn, startStandIn } from "../../packages/api-client/tests/stand-in";

const PORTAL = "http://portal.test";
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

function token(id: string, seconds = 300): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none" })}.${part({ exp: Math.floor(Date.now() / 1000) + seconds, jti: id })}.sig`;
}

function call(
  handler: typeof GET,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; refresh?: string } = {},
) {
  const headers = new Headers(init.headers);
  if (init.refresh) headers.set("cookie", `${REFRESH_COOKIE}=${init.refresh}`);
  const request = new NextRequest(`${PORTAL}/bff/api/${path}`, { method: init.method ?? "GET", headers, body: init.body });
  const segments = new URL(request.url).pathname.replace(/^\/bff\/api\//, "").replace(/\/$/, "").split("/");
  return handler(request, { params: Promise.resolve({ path: segments }) });
}

describe("the BFF pass-through", () => {
  it("adds the session's access token, forwards the listed headers only, and keeps the trailing slash and query", async () => {
    const access = token("a");
    holdPair({ access, refresh: "refresh-a" });
    api.answer(json(200, { results: [] }));
    const response = await call(GET, "v1/tenants/?cursor=abc", {
      refresh: "refresh-a",
      headers: { "accept-language": "de", "x-forwarded-for": "1.2.3.4", authorization: "Bearer forged" },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ results: [] });
    const [seen] = api.requests;
    expect(seen?.url).toBe("/api/v1/tenants/?cursor=abc");
    expect(seen?.headers.authorization).toBe(`Bearer ${access}`);
    expect(seen?.headers["accept-language"]).toBe("de");
    expect(seen?.headers["x-forwarded-for"]).toBeUndefined();
    expect(seen?.headers.cookie).toBeUndefined();
  });

  it("forwards the browser's address only behind trusted proxies, the last one the nearest appended", async () => {
    const spoofed = { "x-forwarded-for": "6.6.6.6", "user-agent": "Firefox" };
    api.answer(json(200, {}), json(200, {}));
    await call(GET, "v1/plans/", { headers: spoofed });
    process.env.PORTAL_TRUSTED_PROXIES = "1";
    try {
      await call(GET, "v1/plans/", { headers: { ...spoofed, "x-forwarded-for": "6.6.6.6, 203.0.113.7" } });
    } finally {
      delete process.env.PORTAL_TRUSTED_PROXIES;
    }
    expect(api.requests.map((request) => request.headers["x-forwarded-for"])).toEqual([undefined, "203.0.113.7"]);
    expect(api.requests[0]?.headers["user-agent"]).toBe("Firefox");
  });

  it("sends no token without a session, so public endpoints work and the rest answer 401 themselves", async () => {
    api.answer(json(200, { results: [] }));
    const response = await call(GET, "v1/search/autocomplete/?q=te");
    expect(response.status).toBe(200);
    expect(api.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("sends a segment's decoded ? or / encoded again, never as a query or a hidden path", async () => {
    api.answer(json(404, {}));
    const request = new NextRequest(`${PORTAL}/bff/api/v1/tenants/a%3Fstaff=1`);
    await GET(request, { params: Promise.resolve({ path: ["v1", "tenants", "a?staff=1"] }) });
    expect(api.requests[0]?.url).toBe("/api/v1/tenants/a%3Fstaff%3D1");
    const hidden = new NextRequest(`${PORTAL}/bff/api/v1/auth%2Frefresh/`, { method: "POST", headers: { origin: PORTAL } });
    const refused = await POST(hidden, { params: Promise.resolve({ path: ["v1", "auth/refresh"] }) });
    expect(refused.status).toBe(404);
  });

  it("refuses the endpoints that hand out tokens, and paths outside v1", async () => {
    for (const path of [
      "v1/auth/sign-in/",
      "v1/auth/sign-in/challenge/",
      "v1/auth/refresh/",
      "v1/auth/sign-out/",
      "v1/signup/",
      "v2/x/",
      "problems/",
    ]) {
      const response = await call(POST, path, { method: "POST", headers: { origin: PORTAL }, body: "{}" });
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    expect(api.requests).toHaveLength(0);
  });

  it("refuses a mutation from another origin or with none, before calling the control plane", async () => {
    for (const headers of [{ origin: "https://evil.test" }, {}] as Record<string, string>[]) {
      const response = await call(DELETE, "v1/tenants/acme/", { method: "DELETE", headers });
      expect(response.status).toBe(403);
      expect((await response.json()).code).toBe("cross_site_request");
    }
    expect(api.requests).toHaveLength(0);
  });

  it("passes problems, Location (as the browser reaches it) and Idempotency-Key through", async () => {
    holdPair({ access: token("b"), refresh: "refresh-b" });
    api.answer({
      status: 202,
      contentType: "application/json",
      body: "{}",
      headers: { Location: `${api.url}/api/v1/tenants/acme/` },
    });
    const response = await call(POST, "v1/tenants/", {
      method: "POST",
      refresh: "refresh-b",
      headers: { origin: PORTAL, "content-type": "application/json", "idempotency-key": "k-1" },
      body: JSON.stringify({ slug: "acme" }),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get("location")).toBe("/bff/api/v1/tenants/acme/");
    expect(api.requests[0]?.headers["idempotency-key"]).toBe("k-1");
    expect(api.requests[0]?.body).toBe('{"slug":"acme"}');
  });

  it("refreshes a session whose access token is gone and sets the rotated cookie", async () => {
    const fresh = { access: token("c2"), refresh: "refresh-c2" };
    api.answer(json(200, fresh), json(200, { email: "a@example.test" }));
    const response = await call(GET, "v1/auth/me/", { refresh: "refresh-c1" });
    expect(response.status).toBe(200);
    expect(api.requests.map((request) => request.url)).toEqual(["/api/v1/auth/refresh/", "/api/v1/auth/me/"]);
    expect(api.requests[1]?.headers.authorization).toBe(`Bearer ${fresh.access}`);
    expect(response.headers.get("set-cookie")).toContain(`${REFRESH_COOKIE}=refresh-c2`);
    expect(response.headers.get("set-cookie")).toMatch(/HttpOnly/i);
  });

  it("ends a session the control plane refuses to refresh: the cookie goes, the call goes on without a token", async () => {
    api.answer(json(401, { code: "token_reused", status: 401, title: "t", detail: "d" }, "application/problem+json"));
    api.answer(json(401, { code: "not_authenticated", status: 401, title: "t", detail: "d" }, "application/problem+json"));
    const response = await call(GET, "v1/auth/me/", { refresh: "stolen" });
    expect(response.status).toBe(401);
    expect(api.requests[1]?.headers.authorization).toBeUndefined();
    expect(response.headers.get("set-cookie")).toMatch(new RegExp(`${REFRESH_COOKIE}=;.*Max-Age=0`, "i"));
  });

  it("answers 502 with a problem when the control plane cannot be reached", async () => {
    process.env.CONTROL_PLANE_URL = "http://127.0.0.1:9";
    try {
      const response = await call(GET, "v1/plans/");
      expect(response.status).toBe(502);
      expect((await response.json()).code).toBe("control_plane_unreachable");
    } finally {
      process.env.CONTROL_PLANE_URL = api.url;
    }
  });
});
