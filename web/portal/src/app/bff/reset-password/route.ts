/** POST /bff/reset-password: the link's uid and token and a new password → password/reset/confirm/. */

import { NextResponse } from "next/server";

import { controlPlane } from "@/lib/api";
import { clientHeaders } from "@/lib/client";
import { checkOrigin, fromError, jsonBody, strings } from "@/lib/bff";

export async function POST(request: Request): Promise<NextResponse> {
  const refused = checkOrigin(request);
  if (refused) return refused;
  const body = await jsonBody(request);
  if (body instanceof NextResponse) return body;
  const input = strings(body, ["uid", "token", "password"]);
  if (input instanceof NextResponse) return input;
  try {
    await controlPlane().POST("/api/v1/auth/password/reset/confirm/", { body: input, headers: clientHeaders(request) });
    return new NextResponse(null, { status: 204 });
  } catch (error) {
    return fromError(error);
  }
}
