import { afterEach, describe, expect, it, vi } from "vitest";

import { fill, isLocale, negotiateLocale, pickAreas, type Translation, translator } from "../src/index";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

const LOCALES = ["en", "de"] as const;

describe("fill", () => {
  it("fills the placeholders it has values for and leaves the others", () => {
    expect(fill("Hello {name}, {missing}", { name: "Ada" })).toBe("Hello Ada, {missing}");
    expect(fill("{a}{a}", { a: "x" })).toBe("xx");
    expect(fill("no values {here}")).toBe("no values {here}");
  });
});

describe("negotiateLocale", () => {
  const pick = (cookie: string | undefined, acceptLanguage: string | null) =>
    negotiateLocale({ locales: LOCALES, fallback: "en", cookie, acceptLanguage });

  it("takes the cookie's language when it is one of the app's", () => {
    expect(pick("de", "en-GB,en;q=0.9")).toBe("de");
  });

  it("ignores a cookie naming another language, then reads Accept-Language in order by primary subtag", () => {
    expect(pick("fr", "fr-FR,de-AT;q=0.8,en;q=0.5")).toBe("de");
    expect(pick(undefined, "  DE-ch ;q=1")).toBe("de");
  });

  it("falls back when nothing matches", () => {
    expect(pick(undefined, null)).toBe("en");
    expect(pick("", "fr, it;q=0.9, *")).toBe("en");
    expect(negotiateLocale({ locales: LOCALES, fallback: "de" })).toBe("de");
  });

  it("knows the app's languages", () => {
    expect(isLocale(LOCALES, "de")).toBe(true);
    expect(isLocale(LOCALES, "fr")).toBe(false);
    expect(isLocale(LOCALES, null)).toBe(false);
  });
});

describe("translator", () => {
  const en = { "a.hello": "Hello {name}", "a.bye": "Bye" } as const;
  // Leaving out a key of English here would not compile: Translation<En> wants every one.
  const de: Translation<typeof en> = { "a.hello": "Hallo {name}", "a.bye": "Tschüss" };

  it("says the words of its dictionary with their values", () => {
    expect(translator(de)("a.hello", { name: "Ada" })).toBe("Hallo Ada");
    expect(translator<keyof typeof en>(en)("a.bye")).toBe("Bye");
  });

  it("throws on a key it lacks outside production", () => {
    expect(() => translator<string>({ "a.bye": "Bye" }, "store")("a.hello")).toThrow("store: missing message a.hello");
  });

  it("in production, logs the key it lacks and says the key", () => {
    vi.stubEnv("NODE_ENV", "production");
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(translator<string>({}, "store")("a.hello")).toBe("a.hello");
    expect(errors).toHaveBeenCalledWith("store: missing message a.hello");
  });
});

describe("pickAreas", () => {
  const areas = {
    base: { en: { "base.x": "X" }, de: { "base.x": "X (de)" } },
    shop: { en: { "shop.y": "Y" }, de: { "shop.y": "Y (de)" } },
    admin: { en: { "admin.z": "Z" }, de: { "admin.z": "Z (de)" } },
  };

  it("gives the areas named, in the language asked for, and nothing else", () => {
    expect(pickAreas(areas, "de", ["base", "shop"])).toEqual({ "base.x": "X (de)", "shop.y": "Y (de)" });
    expect(pickAreas(areas, "en", [])).toEqual({});
  });
});
