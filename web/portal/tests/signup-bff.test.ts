// @vitest-environment node
/**
 * The BFF's side of sign-up against a local server answering as the control plane: /bff/signup keeps the new
 * owner's tokens on the server (the refresh token as the httpOnly cookie, never in the body) and forwards the
 * form's Idempotency-Key; the pass-through refuses POST /api/v1/signup/ (it hands out tokens) but not the
 * address check; and it streams a store's Server-Sent Events as they come, not once the stream ends.
 */

import { NextRequest } from "next/server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { GET, POST as PASS_POST } from "@/app/bff/api/[...path]/route";
import { POST } from "@/app/bff/signup/route";
import { heldAccess, holdPair, REFRESH_COOKIE } from "@/lib/session";

import { type RoutingStandIn, send, startRoutingStandIn } from "./routing-stand-in";

const PORTAL = "http://portal.test";
let api: RoutingStandIn;

beforeAll(async () => {
  api = await startRoutingStandIn();
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

function signup(body: object, headers: Record<string, string> = {}) {
  return POST(
    new Request(`${PORTAL}/bff/signup`, {
      method: "POST",
      headers: { origin: PORTAL, "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
  );
}

function pass(handler: typeof GET, path: string, init: { method?: string; headers?: Record<string, string>; refresh?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.refresh) headers.set("cookie", `${REFRESH_COOKIE}=${init.refresh}`);
  const request = new NextRequest(`${PORTAL}/bff/api/${path}`, { method: init.method ?? "GET", headers });
  const segments = new URL(request.url).pathname.replace(/^\/bff\/api\//, "").replace(/\/$/, "").split("/");
  return handler(request, { params: Promise.resolve({ path: segments }) });
}

const INPUT = { store_name: "Acme", slug: "acme", email: "o@example.test", password: "a long enough passphrase", plan: "starter" };

describe("/bff/signup", () => {
  it("keeps the tokens on the server, sets the session cookie and says where to follow the store", async () => {
    const access = token("signup");
    api.handle((_request, response) =>
      send(response, 202, {
        user: { id: 1, email: "o@example.test", full_name: "", email_verified: false },
        tenant: { slug: "acme", name: "Acme", plan: "free", state: "pending" },
        subscription: { plan: "starter", status: "payment_method_required", url: "/api/v1/tenants/acme/subscription" },
        tokens: { access, refresh: "refresh-signup" },
      }),
    );
    const response = await signup({ ...INPUT, extra: "dropped" }, { "idempotency-key": "key-1", "accept-language": "de" });
    expect(response.status).toBe(202);
    const text = await response.text();
    expect(text).not.toContain("refresh-signup");
    expect(text).not.toContain(access);
    expect(JSON.parse(text)).toEqual({
      slug: "acme",
      name: "Acme",
      plan: "starter",
      subscription_required: true,
      progress: "/stores/acme/progress?plan=starter",
    });
    expect(response.headers.get("set-cookie")).toMatch(new RegExp(`${REFRESH_COOKIE}=refresh-signup;.*HttpOnly`, "i"));
    expect(heldAccess("refresh-signup")).toBe(access);
    const [seen] = api.requests;
    expect(seen?.path).toBe("/api/v1/signup/");
    expect(seen?.headers["idempotency-key"]).toBe("key-1");
    expect(seen?.headers["accept-language"]).toBe("de");
    expect(JSON.parse(seen?.body ?? "{}")).toEqual(INPUT);
  });

  it("passes the API's problem on, field errors included, and sets no cookie", async () => {
    const errors = [{ pointer: "/slug", detail: "The store address 'acme' is taken; pick another.", code: "slug_taken" }];
    api.handle((_request, response) =>
      send(response, 400, { type: "about:blank", title: "Invalid", status: 400, detail: "d", code: "invalid", errors }, "application/problem+json"),
    );
    const response = await signup(INPUT, { "idempotency-key": "key-2" });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toEqual(errors);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("refuses a signup without an Idempotency-Key, or from another site, before calling the API", async () => {
    expect((await signup(INPUT)).status).toBe(400);
    expect((await signup(INPUT, { "idempotency-key": "k", origin: "https://evil.test" })).status).toBe(403);
    expect(api.requests).toHaveLength(0);
  });
});

describe("the pass-through and signup", () => {
  it("refuses POST /api/v1/signup/ (it hands out tokens) but passes the address check", async () => {
    const refused = await pass(PASS_POST, "v1/signup/", { method: "POST", headers: { origin: PORTAL } });
    expect(refused.status).toBe(404);
    api.handle((_request, response) => send(response, 200, { slug: "acme", available: true, code: "", message: "", suggestions: [] }));
    const checked = await pass(GET, "v1/signup/slug/?slug=acme");
    expect(checked.status).toBe(200);
    expect(api.requests.map((request) => `${request.path}?${request.query}`)).toEqual(["/api/v1/signup/slug/?slug=acme"]);
  });
});

describe("the pass-through and Server-Sent Events", () => {
  it("streams each event as it comes, with the bearer token and Last-Event-ID, unbuffered", async () => {
    const access = token("sse");
    holdPair({ access, refresh: "refresh-sse" });
    let finish: () => void = () => undefined;
    api.handle((_request, response) => {
      response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      response.write("retry: 3000\n\n");
      response.write('id: 2\nevent: status\ndata: {"state": "provisioning"}\n\n');
      finish = () => {
        response.write('event: end\ndata: {"state": "ready"}\n\n');
        response.end();
      };
    });
    const response = await pass(GET, "v1/tenants/acme/events/", {
      refresh: "refresh-sse",
      headers: { accept: "text/event-stream", "last-event-id": "1" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    // The status arrives while the upstream stream is still open: nothing waits for its end.
    while (!text.includes("event: status")) {
      const { value, done } = await reader.read();
      expect(done).toBe(false);
      text += decoder.decode(value, { stream: true });
    }
    expect(text).not.toContain("event: end");
    finish();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain('event: end\ndata: {"state": "ready"}');
    const [seen] = api.requests;
    expect(seen?.headers.authorization).toBe(`Bearer ${access}`);
    expect(seen?.headers["last-event-id"]).toBe("1");
    expect(seen?.headers.accept).toBe("text/event-stream");
  });
});
