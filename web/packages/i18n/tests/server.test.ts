import { describe, expect, it, vi } from "vitest";

const jar = new Map<string, string>();
const list = new Headers();
vi.mock("next/headers", () => ({
  cookies: async () => ({ get: (name: string) => (jar.has(name) ? { name, value: jar.get(name) } : undefined) }),
  headers: async () => list,
}));

const { requestLocale } = await import("../src/server");

describe("requestLocale", () => {
  const options = { locales: ["en", "de"] as const, fallback: "en" as const, cookie: "app_locale" };

  it("reads the request's cookie first, then its Accept-Language", async () => {
    list.set("accept-language", "de-DE,de;q=0.9");
    expect(await requestLocale(options)).toBe("de");
    jar.set("app_locale", "en");
    expect(await requestLocale(options)).toBe("en");
  });
});
