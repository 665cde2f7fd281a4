/**
 * The words a page gives its client components: only the areas it names, in one language, and a key it did not
 * give is loud (a throw in tests and development, a console error the browser tests fail on in production).
 */

import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { MESSAGES, type MessageKey, messagesFor } from "@/lib/i18n";
import { MessagesProvider, useHasMessage, useT } from "@tenantry/i18n/client";

afterEach(() => {
  cleanup();
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function Say({ word, values }: { word: MessageKey; values?: Record<string, string> }) {
  const t = useT();
  const has = useHasMessage();
  return <p>{`${t(word, values)} ${has("billing.title") ? "with billing" : "without billing"}`}</p>;
}

describe("messagesFor", () => {
  it("gives the areas named, in the language asked for, and nothing else", () => {
    const words = messagesFor("de", ["base", "signup"]);
    expect(words["signIn.email"]).toBe(MESSAGES.de["signIn.email"]);
    expect(words["signup.title"]).toBe(MESSAGES.de["signup.title"]);
    expect("billing.title" in words).toBe(false);
    expect("security.tf.title" in words).toBe(false);
  });
});

describe("useT", () => {
  it("says a given word with its values filled in", () => {
    render(
      <MessagesProvider messages={messagesFor("en", ["base", "signup"])}>
        <Say word="forgot.sent" values={{ email: "ada@example.com" }} />
      </MessagesProvider>,
    );
    expect(screen.getByText(`${MESSAGES.en["forgot.sent"].replace("{email}", "ada@example.com")} without billing`)).toBeTruthy();
  });

  it("throws on a word the page did not give, outside production", () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined); // React reports the throw too
    expect(() =>
      render(
        <MessagesProvider messages={messagesFor("en", ["base"])} app="portal">
          <Say word="billing.title" />
        </MessagesProvider>,
      ),
    ).toThrow("portal: missing message billing.title");
  });

  it("in production, says so on the console and shows the key rather than break the page", () => {
    vi.stubEnv("NODE_ENV", "production");
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    render(
      <MessagesProvider messages={messagesFor("en", ["base"])} app="portal">
        <Say word="billing.title" />
      </MessagesProvider>,
    );
    expect(screen.getByText("billing.title without billing")).toBeTruthy();
    expect(errors).toHaveBeenCalledWith("portal: missing message billing.title");
  });
});

describe("the dictionary", () => {
  it("is imported for its values only by server modules: client code takes types from it, words from useT()", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const { join } = await import("node:path");
    const root = join(__dirname, "..", "src");
    const files = (await readdir(root, { recursive: true })).filter((name) => /\.tsx?$/.test(name));
    const importers: string[] = [];
    for (const name of files) {
      const text = await readFile(join(root, name), "utf8");
      if (/^import (?!type )[^;]*from "(@\/lib|\.)\/i18n";/m.test(text)) importers.push(name.split("\\").join("/"));
    }
    expect(importers.sort()).toEqual(["components/Words.tsx", "lib/request.ts"]);
  });
});
