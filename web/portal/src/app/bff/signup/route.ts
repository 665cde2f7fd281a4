/**
 * POST /bff/signup: the sign-up form → the control plane's POST /api/v1/signup/, with the form's
 * Idempotency-Key (a retry or a double click makes one store). Signup answers with the new owner's
 * session tokens: like sign-in, they stay here (the refresh token in the httpOnly cookie, the access
 * token in this server's memory), so the browser gets the store and where to follow it, never a token.
 */

import type { ControlPlaneComponents } from "@tenantry/api-client";
import { NextResponse } from "next/server";

import { controlPlane } from "@/lib/api";
import { checkOrigin, fromError, jsonBody, problem, setRefreshCookie } from "@/lib/bff";
import { holdPair } from "@/lib/session";
import { clientHeaders } from "@/lib/client";

type SignupRequest = ControlPlaneComponents["schemas"]["SignupRequest"];
const FIELDS = ["email", "password", "full_name", "store_name", "slug", "plan"] as const;

export async function POST(request: Request): Promise<NextResponse> {
  const refused = checkOrigin(request);
  if (refused) return refused;
  const body = await jsonBody(request);
  if (body instanceof NextResponse) return body;
  const key = request.headers.get("idempotency-key") ?? "";
  if (!key || key.length > 255) {
    return problem(400, "invalid", "Invalid input", "Send an Idempotency-Key (a UUID) with each signup; reload the page.");
  }
  // Only the signup's own fields, as they came: the API validates and answers per field.
  const input = Object.fromEntries(FIELDS.filter((name) => name in body).map((name) => [name, body[name]]));
  const headers: Record<string, string> = { ...clientHeaders(request), "Idempotency-Key": key };
  const language = request.headers.get("accept-language");
  if (language) headers["Accept-Language"] = language;
  try {
    const { data } = await controlPlane().POST("/api/v1/signup/", {
      body: input as unknown as SignupRequest,
      headers,
    });
    if (!data) throw new Error("signup answered without a body");
    const pair = holdPair({ access: data.tokens.access, refresh: data.tokens.refresh });
    const plan = data.subscription?.plan ?? data.tenant.plan;
    const progress = `/stores/${encodeURIComponent(data.tenant.slug)}/progress${data.subscription ? `?plan=${plan}` : ""}`;
    const answer = NextResponse.json(
      {
        slug: data.tenant.slug,
        name: data.tenant.name,
        plan,
        subscription_required: Boolean(data.subscription),
        progress,
      },
      { status: 202, headers: { Location: progress } },
    );
    return setRefreshCookie(answer, request, pair);
  } catch (error) {
    return fromError(error);
  }
}
