/**
 * /bff/api/v1/…: the browser's way to the control plane's API. The BFF adds the session's access token
 * (refreshing it here, where the rotated cookie can be set), forwards a short list of request headers and
 * streams the answer back as it comes (Server-Sent Events included). Mutating methods must come from the
 * portal's own pages (Origin check). The endpoints that hand out or take tokens are not reachable through
 * here: the BFF's own routes (/bff/sign-in, /bff/sign-out, …) speak for them, so no token reaches the browser.
 */

import { type NextRequest, NextResponse } from "next/server";

import { controlPlaneUrl } from "@/lib/api";
import { checkOrigin, clearRefreshCookie, problem } from "@/lib/bff";
import { clientHeaders } from "@/lib/client";
import { heldAccess, REFRESH_COOKIE, refreshCookieOptions, refreshSession } from "@/lib/session";

/**
 * Paths (below /api/v1/) that stay behind the BFF's own routes: they take or return tokens. Signup and accepting
 * an invitation answer with a new session (/bff/signup and /bff/accept-invitation keep it server-side); the slug
 * check stays open here.
 */
const TOKEN_PATHS = [
  /^auth\/sign-in(\/|$)/,
  /^auth\/refresh\/?$/,
  /^auth\/sign-out\/?$/,
  /^billing\/stripe\//,
  /^signup\/?$/,
  /^invitations\/accept\/?$/,
];
const FORWARDED_REQUEST = ["accept", "accept-language", "content-type", "idempotency-key", "if-match", "last-event-id"];
const FORWARDED_RESPONSE = [
  "cache-control",
  "content-disposition",
  "content-language",
  "content-type",
  "etag",
  "location",
  "retry-after",
  "x-request-id",
];
const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const MAX_BODY_BYTES = 1024 * 1024;

async function pass(request: NextRequest, params: Promise<{ path: string[] }>): Promise<NextResponse | Response> {
  if (MUTATING.has(request.method)) {
    const refused = checkOrigin(request);
    if (refused) return refused;
  }
  const { path } = await params;
  const rest = path.join("/");
  if (path[0] !== "v1" || path.some((part) => part === ".." || part === ".") || rest.includes("\\")) {
    return problem(404, "not_found", "Not found", "There is no such API path.");
  }
  const below = path.slice(1).join("/") + (request.nextUrl.pathname.endsWith("/") ? "/" : "");
  if (TOKEN_PATHS.some((pattern) => pattern.test(below))) {
    return problem(404, "not_found", "Not found", "This API path is not open to the browser; the portal's pages use it.");
  }

  const refresh = request.cookies.get(REFRESH_COOKIE)?.value;
  let access = heldAccess(refresh);
  let rotated: string | null = null;
  let ended = false;
  if (!access && refresh) {
    try {
      const pair = await refreshSession(refresh);
      if (pair) {
        access = pair.access;
        rotated = pair.refresh;
      } else {
        ended = true;
      }
    } catch {
      return unreachable();
    }
  }

  const headers = new Headers(clientHeaders(request));
  for (const name of FORWARDED_REQUEST) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  if (access) headers.set("authorization", `Bearer ${access}`);
  let body: ArrayBuffer | undefined;
  if (!["GET", "HEAD"].includes(request.method)) {
    body = await request.arrayBuffer();
    if (body.byteLength > MAX_BODY_BYTES) {
      return problem(413, "too_large", "Request too large", "The request body is larger than the portal accepts.");
    }
  }
  // Each segment encoded again: a decoded "?" or "#" in a segment must not become the target's query.
  const encoded = path.map((part) => encodeURIComponent(part)).join("/");
  const target = `${controlPlaneUrl()}/api/${encoded}${request.nextUrl.pathname.endsWith("/") ? "/" : ""}${request.nextUrl.search}`;
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers,
      body: body && body.byteLength ? body : undefined,
      redirect: "manual",
      cache: "no-store",
      signal: request.signal,
    });
  } catch {
    return unreachable();
  }

  const answer = new Headers();
  for (const name of FORWARDED_RESPONSE) {
    const value = upstream.headers.get(name);
    if (value) answer.set(name, name === "location" ? local(value) : value);
  }
  if (answer.get("content-type")?.startsWith("text/event-stream")) answer.set("x-accel-buffering", "no");
  const response = new NextResponse(upstream.body, { status: upstream.status, headers: answer });
  if (rotated) response.cookies.set(REFRESH_COOKIE, rotated, refreshCookieOptions(request.url));
  if (ended) clearRefreshCookie(response, request);
  return response;
}

/** A Location of the control plane's API, as the browser reaches it through this route. */
function local(location: string): string {
  const base = controlPlaneUrl();
  const path = location.startsWith(base) ? location.slice(base.length) : location;
  return path.startsWith("/api/") ? `/bff${path}` : location;
}

function unreachable(): NextResponse {
  return problem(
    502,
    "control_plane_unreachable",
    "Tenantry cannot be reached",
    "The portal could not reach Tenantry's API. Try again in a minute.",
  );
}

type Context = { params: Promise<{ path: string[] }> };
export const GET = (request: NextRequest, { params }: Context) => pass(request, params);
export const POST = (request: NextRequest, { params }: Context) => pass(request, params);
export const PUT = (request: NextRequest, { params }: Context) => pass(request, params);
export const PATCH = (request: NextRequest, { params }: Context) => pass(request, params);
export const DELETE = (request: NextRequest, { params }: Context) => pass(request, params);
export const dynamic = "force-dynamic";
