/**
 * The portal's session, kept by the Next.js server (a backend-for-frontend).
 *
 * The browser holds only the refresh token, in an httpOnly, SameSite=Lax cookie (Secure except
 * on http://localhost). The access token never leaves this server: it lives in a process-wide
 * map keyed by a hash of the refresh token it was issued with. When it is missing or expired,
 * `refreshSession` trades the refresh token for a new pair — only where the new cookie can be
 * set (route handlers and the proxy), since the control plane treats a reused refresh token as
 * a stolen one and ends the session.
 */

import { createHash } from "node:crypto";

import { ProblemError } from "@tenantry/api-client";

import { controlPlane } from "./api";

export const REFRESH_COOKIE = "tenantry_refresh";
/** Refresh this many seconds before the access token expires. */
const LEEWAY_SECONDS = 15;
/** How long a rotated refresh token still maps to its successor (parallel requests of one page). */
const GRACE_MS = 30_000;
/** The refresh cookie's lifetime; the control plane decides when the token itself expires. */
const REFRESH_COOKIE_MAX_AGE = 60 * 60 * 24 * 30;

export interface TokenPair {
  access: string;
  refresh: string;
}

interface Held {
  access: string;
  expiresAt: number; // epoch ms
}

interface Store {
  access: Map<string, Held>;
  rotated: Map<string, { pair: TokenPair; until: number }>;
  inFlight: Map<string, Promise<TokenPair | null>>;
}

// On globalThis: the proxy, the route handlers and the pages are separate bundles in one process.
const STORE_KEY = Symbol.for("tenantry.portal.sessions");
function store(): Store {
  const global = globalThis as { [STORE_KEY]?: Store };
  global[STORE_KEY] ??= { access: new Map(), rotated: new Map(), inFlight: new Map() };
  return global[STORE_KEY];
}

function key(refresh: string): string {
  return createHash("sha256").update(refresh).digest("base64url");
}

/** The `exp` of a JWT in epoch ms, or a minute from now when the token is not a readable JWT. */
export function expiresAt(token: string, now = Date.now()): number {
  const payload = token.split(".")[1];
  if (payload) {
    try {
      const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      if (typeof claims === "object" && claims !== null && "exp" in claims && typeof claims.exp === "number") {
        return claims.exp * 1000;
      }
    } catch {
      // not a JWT: fall through
    }
  }
  return now + 60_000;
}

/** Remember a new pair's access token; returns the pair for the caller to set the cookie. */
export function holdPair(pair: TokenPair): TokenPair {
  store().access.set(key(pair.refresh), { access: pair.access, expiresAt: expiresAt(pair.access) });
  return pair;
}

/** The access token held for this refresh token, if it is still valid for a while. */
export function heldAccess(refresh: string | undefined, now = Date.now()): string | null {
  if (!refresh) return null;
  const held = store().access.get(key(refresh));
  if (!held || held.expiresAt - LEEWAY_SECONDS * 1000 <= now) return null;
  return held.access;
}

/**
 * A new pair for `refresh`, or null when the session is over (the control plane refused the
 * token). Concurrent callers with the same token share one call; callers that arrive shortly
 * after the rotation with the old token get the same new pair instead of reusing the old one.
 * A network failure rejects, so that a page can say the control plane is unreachable.
 */
export async function refreshSession(refresh: string): Promise<TokenPair | null> {
  const sessions = store();
  const id = key(refresh);
  const rotated = sessions.rotated.get(id);
  if (rotated && rotated.until > Date.now()) return rotated.pair;
  const running = sessions.inFlight.get(id);
  if (running) return running;
  const call = (async () => {
    try {
      const { data } = await controlPlane().POST("/api/v1/auth/refresh/", { body: { refresh } });
      if (!data) return null;
      const pair = holdPair({ access: data.access, refresh: data.refresh });
      sessions.access.delete(id);
      sessions.rotated.set(id, { pair, until: Date.now() + GRACE_MS });
      return pair;
    } catch (error) {
      if (error instanceof ProblemError && error.status < 500) {
        sessions.access.delete(id);
        return null;
      }
      throw error;
    } finally {
      sessions.inFlight.delete(id);
      for (const [old, entry] of sessions.rotated) if (entry.until <= Date.now()) sessions.rotated.delete(old);
    }
  })();
  sessions.inFlight.set(id, call);
  return call;
}

/** Forget a session's access token (on sign-out). */
export function dropSession(refresh: string): void {
  store().access.delete(key(refresh));
}

/** Options of the refresh cookie: Secure everywhere but on plain-HTTP localhost, where browsers would drop it. */
export function refreshCookieOptions(requestUrl: string) {
  const url = new URL(requestUrl);
  const local = url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  return {
    httpOnly: true,
    secure: !local,
    sameSite: "lax" as const,
    path: "/",
    maxAge: REFRESH_COOKIE_MAX_AGE,
  };
}
