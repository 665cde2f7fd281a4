/** What the BFF's route handlers share: problem details out, the Origin check, the refresh cookie. */

import { type Problem, PROBLEM_CONTENT_TYPE, ProblemError } from "@tenantry/api-client";
import { NextResponse } from "next/server";

import { sameOrigin } from "./csrf";
import { REFRESH_COOKIE, refreshCookieOptions, type TokenPair } from "./session";

export function problem(status: number, code: string, title: string, detail: string): NextResponse {
  const body: Problem = { type: "about:blank", title, status, detail, code };
  return NextResponse.json(body, { status, headers: { "Content-Type": PROBLEM_CONTENT_TYPE } });
}

/** The control plane's problem as is, or a 502 when it could not be reached or answered nonsense. */
export function fromError(error: unknown): NextResponse {
  if (error instanceof ProblemError && error.code !== "unexpected_response") {
    const body: Problem = {
      type: error.type,
      title: error.title,
      status: error.status,
      detail: error.detail,
      code: error.code,
      errors: error.errors,
    };
    if (error.request_id) body.request_id = error.request_id;
    return NextResponse.json(body, { status: error.status, headers: { "Content-Type": PROBLEM_CONTENT_TYPE } });
  }
  console.error("portal: the control plane failed", error);
  return problem(
    502,
    "control_plane_unreachable",
    "Tenantry cannot be reached",
    "The portal could not reach Tenantry's API. Try again in a minute.",
  );
}

/** Refuse a cross-site request (403), or null to go on. */
export function checkOrigin(request: Request): NextResponse | null {
  if (sameOrigin(request)) return null;
  return problem(
    403,
    "cross_site_request",
    "Cross-site request refused",
    "This request did not come from the portal's own pages. Reload the page and try again.",
  );
}

/** The request's JSON object body, or a 400 saying what is wrong with it. */
export async function jsonBody(request: Request): Promise<Record<string, unknown> | NextResponse> {
  try {
    const body: unknown = await request.json();
    if (typeof body === "object" && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    // fall through
  }
  return problem(400, "invalid", "Invalid input", "The request body must be a JSON object.");
}

/** The string members `names` of `body`, or a 400 listing the missing ones at their fields. */
export function strings<const K extends string>(
  body: Record<string, unknown>,
  names: readonly K[],
): Record<K, string> | NextResponse {
  const missing = names.filter((name) => typeof body[name] !== "string" || body[name] === "");
  if (missing.length) {
    const response: Problem = {
      type: "about:blank",
      title: "Invalid input",
      status: 400,
      detail: "Some of the input is invalid; `errors` says where and why.",
      code: "invalid",
      errors: missing.map((name) => ({ pointer: `/${name}`, detail: "This field is required.", code: "required" })),
    };
    return NextResponse.json(response, { status: 400, headers: { "Content-Type": PROBLEM_CONTENT_TYPE } });
  }
  return Object.fromEntries(names.map((name) => [name, body[name]])) as Record<K, string>;
}

export function setRefreshCookie(response: NextResponse, request: Request, pair: TokenPair): NextResponse {
  response.cookies.set(REFRESH_COOKIE, pair.refresh, refreshCookieOptions(request.url));
  return response;
}

export function clearRefreshCookie(response: NextResponse, request: Request): NextResponse {
  response.cookies.set(REFRESH_COOKIE, "", { ...refreshCookieOptions(request.url), maxAge: 0 });
  return response;
}
