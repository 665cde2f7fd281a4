import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";

import { ThemeSelect } from "../src/client";
import { brandCss, COLOUR_TOKENS, isColour, parseTheme, themeClass } from "../src/index";

afterEach(() => {
  cleanup();
  document.documentElement.className = "";
  document.cookie = "tenantry_theme=; Max-Age=0; Path=/";
});

describe("the preference", () => {
  it("reads only the three schemes from a cookie, system otherwise", () => {
    expect(parseTheme("dark")).toBe("dark");
    expect(parseTheme("light")).toBe("light");
    expect(parseTheme("purple")).toBe("system");
    expect(parseTheme(undefined)).toBe("system");
  });

  it("puts a class on <html> for light and dark, none for system", () => {
    expect(themeClass("dark")).toBe("dark");
    expect(themeClass("system")).toBeUndefined();
  });
});

describe("ThemeSelect", () => {
  const names = { system: "System", light: "Light", dark: "Dark" };

  it("keeps the choice in the cookie and switches <html>'s class at once", () => {
    render(<ThemeSelect theme="system" label="Colour scheme" names={names} />);
    const select = screen.getByLabelText("Colour scheme") as HTMLSelectElement;
    fireEvent.change(select, { target: { value: "dark" } });
    expect(select.value).toBe("dark");
    expect(document.cookie).toContain("tenantry_theme=dark");
    expect(document.documentElement.className).toBe("dark");
    fireEvent.change(select, { target: { value: "system" } });
    expect(document.documentElement.className).toBe("");
    expect(document.cookie).toContain("tenantry_theme=system");
  });

  it("writes another app's cookie when told", () => {
    render(<ThemeSelect theme="light" label="Scheme" names={names} cookie="store_theme" />);
    fireEvent.change(screen.getByLabelText("Scheme"), { target: { value: "light" } });
    expect(document.cookie).toContain("store_theme=light");
  });
});

describe("tokens.css", () => {
  it("defines every colour token for light and twice for dark (the device's preference, the dark class)", async () => {
    const css = await readFile(join(__dirname, "..", "src", "tokens.css"), "utf8");
    for (const name of COLOUR_TOKENS) expect(css.match(new RegExp(`--${name}:`, "g"))?.length).toBe(3);
  });
});

describe("brandCss", () => {
  it("sets a store's colours over the tokens, dark ones where tokens.css applies the dark scheme", () => {
    const css = brandCss({ light: { accent: "#0a7c66", "accent-fg": "white" }, dark: { accent: "rgb(120, 220, 200)" } });
    expect(css).toBe(
      [
        ":root { --accent: #0a7c66; --accent-fg: white; }",
        "@media (prefers-color-scheme: dark) { html:not(.light) { --accent: rgb(120, 220, 200); } }",
        "html.dark { --accent: rgb(120, 220, 200); }",
      ].join("\n"),
    );
    expect(brandCss({})).toBe("");
  });

  it("refuses what is not a colour, so a store's setting cannot break out of the rule", () => {
    expect(isColour("#abc")).toBe(true);
    expect(isColour("oklch(70% 0.1 200)")).toBe(true);
    expect(isColour("red; } body { display: none")).toBe(false);
    expect(isColour("url(https://example.com/x.png)")).toBe(false);
    expect(() => brandCss({ light: { accent: "red;}</style><script>" } })).toThrow("--accent is not a colour");
  });
});
