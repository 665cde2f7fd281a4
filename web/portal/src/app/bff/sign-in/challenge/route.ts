/** POST /bff/sign-in/challenge: the challenge and a code (app or backup) → the session cookie. */

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
    const { data } = await controlPlane().POST("/api/v1/auth/sign-in/challenge/", {
      body: input,
      headers: clientHeaders(request),
    });
    if (!data) throw new Error("sign-in/challenge answered without a body");
    const pair = holdPair({ access: data.access, refresh: data.refresh });
    return setRefreshCookie(NextResponse.json({ status: "signed_in" }), request, pair);
  } catch (error) {
    return fromError(error);
  }
}
