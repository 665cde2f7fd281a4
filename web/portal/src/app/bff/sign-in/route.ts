/** POST /bff/sign-in: email and password → the session cookie, or the second-factor challenge. */

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
  const input = strings(body, ["email", "password"]);
  if (input instanceof NextResponse) return input;
  try {
    const { data } = await controlPlane().POST("/api/v1/auth/sign-in/", { body: input, headers: clientHeaders(request) });
    if (!data) throw new Error("sign-in answered without a body");
    if ("access" in data) {
      const pair = holdPair({ access: data.access, refresh: data.refresh });
      return setRefreshCookie(NextResponse.json({ status: "signed_in" }), request, pair);
    }
    return NextResponse.json({
      status: data.status,
      challenge: data.challenge,
      methods: data.methods,
      expires_in: data.expires_in,
    });
  } catch (error) {
    return fromError(error);
  }
}
