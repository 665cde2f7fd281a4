/**
 * POST /bff/sign-in/enrolment/confirm: the challenge and the new app's first code → two-step verification on,
 * the session cookie, and the backup codes (shown this once; the tokens stay on the server).
 */

import { NextResponse } from "next/server";

import { controlPlane } from "@/lib/api";
import { clientHeaders } from "@/lib/client";
import { checkOrigin, fromError, jsonBody, setRefreshCookie, strings } from "@/lib/bff";
import { holdPair } from "@/lib/session";


export async function POST(request: Request): Promise<NextResponse> {
  const refused = checkOrigin(request);
  if (refused) return refused;
  const body = await jsonBody(request);
  if (body instanceof NextResponse) return body;
  const input = strings(body, ["challenge", "code"]);
  if (input instanceof NextResponse) return input;
  try {
    const { data } = await controlPlane().POST("/api/v1/auth/sign-in/enrolment/confirm/", {
      body: input,
      headers: clientHeaders(request),
    });
    if (!data) throw new Error("sign-in/enrolment/confirm answered without a body");
    const pair = holdPair({ access: data.access, refresh: data.refresh });
    return setRefreshCookie(NextResponse.json({ status: "signed_in", backup_codes: data.backup_codes }), request, pair);
  } catch (error) {
    return fromError(error);
  }
}
