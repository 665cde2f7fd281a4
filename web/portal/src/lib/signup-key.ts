/**
 * Sign-up's Idempotency-Key, kept across a reload while the same content is sent: in sessionStorage with the
 * content's digest, until a store is made. Imported by the form when it sends (not with the page: the sign-up
 * page's first load is at its budget).
 */

import { idempotencyKey, SIGN_UP_FIELDS, type SignUpInput } from "./signup";

/** Where the key of the last submission not yet answered with a store is kept: `{ digest, key }`. */
export const HELD_KEY = "tenantry.signup.idempotency-key";
let unstored: string | null = null; // the key when the browser keeps nothing (no sessionStorage or no digest)

function sessionStore(): Storage | null {
  try {
    return typeof window === "undefined" ? null : window.sessionStorage;
  } catch {
    return null; // storage refused (a privacy setting): the key lives as long as the page
  }
}

/**
 * The SHA-256 of what the form sends (hex), or null where the browser has no Web Crypto (a page not served
 * over HTTPS or from localhost). Only the digest is kept, never the content, the password least of all.
 */
export async function signUpDigest(input: SignUpInput): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const text = JSON.stringify(SIGN_UP_FIELDS.map((field) => input[field]));
  const bytes = new Uint8Array(await subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * The Idempotency-Key for sending content of `digest`: the one kept for the same content (an earlier attempt that
 * got no answer, before a reload too: the API then answers with the store that attempt made, not a second one),
 * else a new one, kept in sessionStorage until `forgetSignUpKey` (a store made, or the API refusing the key).
 */
export function signUpKey(digest: string | null, storage: Storage | null = sessionStore()): string {
  if (!digest || !storage) return (unstored ??= idempotencyKey());
  try {
    const held = JSON.parse(storage.getItem(HELD_KEY) ?? "null") as { digest?: unknown; key?: unknown } | null;
    if (held?.digest === digest && typeof held.key === "string") return held.key;
  } catch {
    // not ours, or cut short: replaced below
  }
  const key = idempotencyKey();
  try {
    storage.setItem(HELD_KEY, JSON.stringify({ digest, key }));
  } catch {
    // full or refused: the key still serves this page
  }
  return key;
}

/** The key's work is done (a store was made) or refused (`idempotency_key_reused`): the next submission gets a new one. */
export function forgetSignUpKey(storage: Storage | null = sessionStore()): void {
  unstored = null;
  try {
    storage?.removeItem(HELD_KEY);
  } catch {
    // nothing kept
  }
}
