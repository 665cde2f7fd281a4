/**
 * POST /bff/stores/<slug>/open (the store page's "Open store"): asks the control plane, with the session's access
 * token, for a one-time hand-off URL on the platform's sign-in provider and answers it as `{url}`; the page then
 * sends the browser there (a script's navigation: the CSP's `form-action 'self'` would stop a form's redirect to
 * another origin). The provider signs the member in and passes them on to the store's own sign-in through the
 * platform. Design: docs/security.md, "Opening a store from the portal".
 */

import { type NextRequest, NextResponse } from "next/server";

import { controlPlane } from "@/lib/api";
import { checkOrigin, fromError, problem, setRefreshCookie } from "@/lib/bff";
import { heldAccess, REFRESH_COOKIE, refreshSession, type TokenPair } from "@/lib/session";

export async function POST(request: NextRequest, { params }: { params: Promise<{ slug: string }> }): Promise<NextResponse> {
  const refused = checkOrigin(request);
  if (refused) return refused;
  const { slug } = await params;
  const refresh = request.cookies.get(REFRESH_COOKIE)?.value;
  let access = heldAccess(refresh);
  let rotated: TokenPair | null = null;
  try {
    if (!access && refresh) {
      rotated = await refreshSession(refresh);
      access = rotated?.access ?? null;
    }
    if (!access) return problem(401, "not_authenticated", "Signed out", "Your session ended: sign in again.");
    const { data } = await controlPlane(access).POST("/api/v1/tenants/{slug}/open/", { params: { path: { slug } } });
    if (!data?.url) throw new Error("the hand-off came without a URL");
    const response = NextResponse.json({ url: data.url }, { headers: { "Cache-Control": "no-store" } });
    return rotated ? setRefreshCookie(response, request, rotated) : response;
  } catch (error) {
    return fromError(error);
  }
}
