/**
 * Runs before every page: a fresh nonce for a strict Content-Security-Policy, and, on pages that
 * need a signed-in user, a valid access token (refreshing the session here, where the rotated
 * refresh cookie can still be set).
 */

import { type NextRequest, NextResponse } from "next/server";

import { heldAccess, REFRESH_COOKIE, refreshCookieOptions, refreshSession } from "@/lib/session";
import { stripeOrigins } from "@/lib/stripe";

const SIGNED_IN_PAGES = ["/stores", "/staff", "/account"];

/** Pages that load Stripe.js: their policy also opens Stripe's origins (src/lib/stripe.ts). */
const STRIPE_PAGES = /^\/stores\/[^/]+\/billing\/?$/;

export function contentSecurityPolicy(nonce: string, dev: boolean, stripe?: ReturnType<typeof stripeOrigins>): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${stripe ? ` ${stripe.script}` : ""}${dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${stripe ? ` ${stripe.connect.join(" ")}` : ""}`,
    ...(stripe ? [`frame-src ${stripe.frames.join(" ")}`] : []),
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const path = request.nextUrl.pathname;
  const stripe = STRIPE_PAGES.test(path) ? stripeOrigins() : undefined;
  const csp = contentSecurityPolicy(nonce, process.env.NODE_ENV === "development", stripe);
  request.headers.set("x-nonce", nonce);
  request.headers.set("Content-Security-Policy", csp);

  let rotated: string | null = null;
  if (SIGNED_IN_PAGES.some((page) => path === page || path.startsWith(`${page}/`))) {
    const refresh = request.cookies.get(REFRESH_COOKIE)?.value;
    if (!heldAccess(refresh)) {
      let pair = null;
      let unreachable = false;
      try {
        pair = refresh ? await refreshSession(refresh) : null;
      } catch {
        unreachable = true; // the page says so
      }
      if (pair) {
        rotated = pair.refresh;
        request.cookies.set(REFRESH_COOKIE, pair.refresh);
        request.headers.set("cookie", request.cookies.toString());
      } else if (!unreachable) {
        const signIn = new URL("/sign-in", request.url);
        signIn.searchParams.set("next", path);
        const response = NextResponse.redirect(signIn, 303);
        if (refresh) response.cookies.set(REFRESH_COOKIE, "", { ...refreshCookieOptions(request.url), maxAge: 0 });
        return response;
      }
    }
  }

  const response = NextResponse.next({ request: { headers: request.headers } });
  response.headers.set("Content-Security-Policy", csp);
  response.headers.set("X-Content-Type-Options", "nosniff");
  response.headers.set("Referrer-Policy", "same-origin");
  if (rotated) response.cookies.set(REFRESH_COOKIE, rotated, refreshCookieOptions(request.url));
  return response;
}

export const config = {
  // Pages only: not the BFF's routes, static files or Next's own assets.
  matcher: [{ source: "/((?!bff/|_next/static|_next/image|favicon.ico).*)" }],
};
