/**
 * POST /bff/sign-in/enrolment: an enrolment_required challenge → a new authenticator app's key URI and secret,
 * for an account that must set up two-step verification before its first session.
 */

import { NextResponse } from "next/server";

import { controlPlane } from "@/lib/api";
import { clientHeaders } from "@/lib/client";
import { checkOrigin, fromError, jsonBody, strings } from "@/lib/bff";

export async function POST(request: Request): Promise<NextResponse> {
  const refused = checkOrigin(request);
  if (refused) return refused;
  const body = await jsonBody(request);
  if (body instanceof NextResponse) return body;
  const input = strings(body, ["challenge"]);
  if (input instanceof NextResponse) return input;
  try {
    const { data } = await controlPlane().POST("/api/v1/auth/sign-in/enrolment/", {
      body: input,
      headers: clientHeaders(request),
    });
    if (!data) throw new Error("sign-in/enrolment answered without a body");
    return NextResponse.json({ otpauth_uri: data.otpauth_uri, secret: data.secret });
  } catch (error) {
    return fromError(error);
  }
}
