/** Sign-up's Idempotency-Key kept by the content's digest (src/lib/signup-key.ts): what is kept, when it is reused, when forgotten. */

import { describe, expect, it } from "vitest";

import type { SignUpInput } from "@/lib/signup";
import { forgetSignUpKey, HELD_KEY, signUpDigest, signUpKey } from "@/lib/signup-key";

const INPUT: SignUpInput = { store_name: "Café", slug: "cafe", email: "a@example.test", password: "a long passphrase", plan: "free" };

/** sessionStorage as the browser has it, in memory. */
function storage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
}

describe("sign-up's Idempotency-Key", () => {
  it("digests the content: the same for the same content, another when any field differs", async () => {
    const digest = await signUpDigest(INPUT);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(await signUpDigest({ ...INPUT })).toBe(digest);
    for (const change of [{ password: "another passphrase" }, { plan: "starter" as const }, { slug: "cafe-2" }]) {
      expect(await signUpDigest({ ...INPUT, ...change })).not.toBe(digest);
    }
  });

  it("keeps one key per content until it is forgotten, and only the digest with it", async () => {
    const kept = storage();
    const digest = await signUpDigest(INPUT);
    const key = signUpKey(digest, kept);
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    expect(signUpKey(digest, kept)).toBe(key);
    expect(JSON.parse(kept.getItem(HELD_KEY) ?? "{}")).toEqual({ digest, key });

    const other = signUpKey(await signUpDigest({ ...INPUT, plan: "growth" }), kept);
    expect(other).not.toBe(key);
    expect(signUpKey(await signUpDigest({ ...INPUT, plan: "growth" }), kept)).toBe(other);

    forgetSignUpKey(kept);
    expect(kept.length).toBe(0);
    expect(signUpKey(digest, kept)).not.toBe(key);
  });

  it("replaces what it cannot read, and serves the page with one key when nothing can be kept", async () => {
    const kept = storage();
    kept.setItem(HELD_KEY, "{not json");
    const digest = await signUpDigest(INPUT);
    const key = signUpKey(digest, kept);
    expect(signUpKey(digest, kept)).toBe(key);

    const unkept = signUpKey(null, null);
    expect(signUpKey(digest, null)).toBe(unkept);
    forgetSignUpKey(null);
    expect(signUpKey(null, null)).not.toBe(unkept);
  });
});
