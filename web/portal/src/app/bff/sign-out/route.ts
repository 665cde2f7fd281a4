/** POST /bff/sign-out: end the session at the control plane, drop the cookie, back to /sign-in. */

import { ProblemError } from "@tenantry/api-client";
import { cookies } from "next/headers";
import { NextResponse } from "next/server";

import { controlPlane } from "@/lib/api";
import { checkOrigin, clearRefreshCookie } from "@/lib/bff";
import { dropSession, REFRESH_COOKIE } from "@/lib/session";

export async function POST(request: Request): Promise<NextResponse> {
  const refused = checkOrigin(request);
  if (refused) return refused;
  const refresh = (await cookies()).get(REFRESH_COOKIE)?.value;
  if (refresh) {
    dropSession(refresh);
    try {
      await controlPlane().POST("/api/v1/auth/sign-out/", { body: { refresh } });
    } catch (error) {
      // An expired or already used token: the session is over anyway. Anything else is logged.
      if (!(error instanceof ProblemError && error.status < 500)) console.error("portal: sign-out failed", error);
    }
  }
  const response = NextResponse.redirect(new URL("/sign-in", request.url), 303);
  return clearRefreshCookie(response, request);
}
