/** What the portal's server tells the control plane about the browser it serves, from a route's Request or a page's headers(). */

import { afterEach, describe, expect, it } from "vitest";

import { clientHeaders } from "@/lib/client";

const BROWSER = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chromium", "x-forwarded-for": "203.0.113.9, 10.0.0.7" };

afterEach(() => {
  delete process.env.PORTAL_TRUSTED_PROXIES;
});

describe("clientHeaders", () => {
  it("passes the User-Agent on, and no address without a trusted proxy (a browser can write X-Forwarded-For)", () => {
    expect(clientHeaders(new Headers(BROWSER))).toEqual({ "User-Agent": BROWSER["user-agent"] });
  });

  it("takes the address the nearest trusted proxy appended, the same from a page's headers as from a Request", () => {
    process.env.PORTAL_TRUSTED_PROXIES = "1";
    const fromPage = clientHeaders(new Headers(BROWSER));
    const fromRoute = clientHeaders(new Request("http://portal.test/bff/reset-password", { headers: BROWSER }));
    expect(fromPage).toEqual({ "User-Agent": BROWSER["user-agent"], "X-Forwarded-For": "10.0.0.7" });
    expect(fromRoute).toEqual(fromPage);
  });

  it("counts hops from the end and refuses what is not an address", () => {
    process.env.PORTAL_TRUSTED_PROXIES = "2";
    expect(clientHeaders(new Headers(BROWSER))["X-Forwarded-For"]).toBe("203.0.113.9");
    expect(clientHeaders(new Headers({ "x-forwarded-for": "<script>, 10.0.0.7" }))).toEqual({});
  });

  it("cuts a very long User-Agent", () => {
    expect(clientHeaders(new Headers({ "user-agent": "x".repeat(5000) }))["User-Agent"]).toHaveLength(300);
  });
});
