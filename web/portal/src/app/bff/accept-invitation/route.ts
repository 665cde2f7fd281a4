/**
 * POST /bff/accept-invitation: accept a store's invitation with the mailed token. With a password it creates
 * the invited account (the control plane then answers with a session, whose tokens stay here: the refresh
 * token becomes the session cookie); without one, the signed-in session accepts it.
 */

import { type NextRequest, NextResponse } from "next/server";

import { controlPlane } from "@/lib/api";
import { clientHeaders } from "@/lib/client";
import { checkOrigin, fromError, jsonBody, problem, setRefreshCookie } from "@/lib/bff";
import { heldAccess, holdPair, REFRESH_COOKIE, refreshSession } from "@/lib/session";

export async function POST(request: NextRequest): Promise<NextResponse> {
  const refused = checkOrigin(request);
  if (refused) return refused;
  const body = await jsonBody(request);
  if (body instanceof NextResponse) return body;
  const token = typeof body.token === "string" ? body.token : "";
  const password = typeof body.password === "string" ? body.password : "";
  const fullName = typeof body.full_name === "string" ? body.full_name : "";
  if (!token) return problem(400, "invalid", "Invalid input", "The invitation link is incomplete.");

  let access: string | null = null;
  if (!password) {
    const refresh = request.cookies.get(REFRESH_COOKIE)?.value;
    access = heldAccess(refresh);
    let rotated = null;
    if (!access && refresh) {
      try {
        rotated = await refreshSession(refresh);
      } catch (error) {
        return fromError(error);
      }
      access = rotated?.access ?? null;
    }
    if (!access) {
      return problem(
        401,
        "not_authenticated",
        "Sign in first",
        "Sign in to accept the invitation, or choose a password to create your account.",
      );
    }
    try {
      const { data } = await controlPlane(access).POST("/api/v1/invitations/accept/", {
        body: { token, full_name: "" },
        headers: clientHeaders(request),
      });
      const response = NextResponse.json({ tenant: data?.tenant, signed_in: true });
      return rotated ? setRefreshCookie(response, request, rotated) : response;
    } catch (error) {
      return fromError(error);
    }
  }
  try {
    const { data } = await controlPlane().POST("/api/v1/invitations/accept/", {
      body: { token, password, full_name: fullName },
      headers: clientHeaders(request),
    });
    const response = NextResponse.json({ tenant: data?.tenant, signed_in: Boolean(data?.tokens) });
    if (data?.tokens) setRefreshCookie(response, request, holdPair(data.tokens));
    return response;
  } catch (error) {
    return fromError(error);
  }
}
