/**
 * @tenantry/theming's core (no React): the colour-scheme preference and a store's brand colours as CSS variables.
 * The design tokens themselves are CSS: `@tenantry/theming/tokens.css`.
 *
 * No flash: the preference is a cookie, and the server renders `<html class={themeClass(theme)}>`; "system" needs
 * no class, plain CSS (`prefers-color-scheme`) follows the device, so no script has to run before the first paint.
 */

export { parseTheme, THEME_COOKIE, type Theme, themeClass, THEMES } from "./scheme";

/** The colour tokens of tokens.css that a store may set (each a CSS variable `--<name>`). */
export const COLOUR_TOKENS = ["bg", "fg", "muted", "surface", "border", "accent", "accent-fg", "error", "ok", "focus"] as const;
export type ColourToken = (typeof COLOUR_TOKENS)[number];
export type Palette = Partial<Record<ColourToken, string>>;

/** A store's brand: the tokens it overrides in the light scheme and, optionally, in the dark one. */
export interface Brand {
  light?: Palette;
  dark?: Palette;
}

// A colour only (hex, rgb()/hsl()/oklch() with numbers, or a plain name): a store's setting can never close the
// rule or the <style> element it goes into.
const COLOUR = /^(#[0-9a-f]{3,8}|(rgb|rgba|hsl|hsla|oklch|oklab|lab|lch)\([0-9a-z.,%/ +-]*\)|[a-z]{3,20})$/i;

export function isColour(value: string): boolean {
  return COLOUR.test(value.trim());
}

function declarations(palette: Palette | undefined): string {
  return COLOUR_TOKENS.filter((name) => palette?.[name] !== undefined)
    .map((name) => {
      const value = (palette?.[name] ?? "").trim();
      if (!isColour(value)) throw new Error(`theming: --${name} is not a colour: ${JSON.stringify(value)}`);
      return `--${name}: ${value};`;
    })
    .join(" ");
}

/**
 * The CSS that puts a store's brand over tokens.css, for a `<style nonce>` in the store's layout: its light colours
 * on `:root`, its dark ones wherever tokens.css applies the dark scheme (the `dark` class, or the device's dark
 * preference unless the `light` class). Throws on a value that is not a colour.
 */
export function brandCss(brand: Brand): string {
  const rules: string[] = [];
  const light = declarations(brand.light);
  const dark = declarations(brand.dark);
  if (light) rules.push(`:root { ${light} }`);
  if (dark) {
    rules.push(`@media (prefers-color-scheme: dark) { html:not(.light) { ${dark} } }`);
    rules.push(`html.dark { ${dark} }`);
  }
  return rules.join("\n");
}
