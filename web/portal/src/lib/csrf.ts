/**
 * CSRF protection of the BFF's mutating routes: an Origin check. Browsers send Origin with every
 * POST, and a cross-site page cannot forge it; a request whose Origin is not the portal's own
 * (or that has none) is refused. The SameSite=Lax session cookie is the second layer.
 */

export function sameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return false;
  return allowedOrigins(request).includes(origin);
}

function allowedOrigins(request: Request): string[] {
  const origins = [new URL(request.url).origin];
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (host) {
    const proto = request.headers.get("x-forwarded-proto") ?? new URL(request.url).protocol.replace(":", "");
    origins.push(`${proto}://${host}`);
  }
  if (process.env.PORTAL_ORIGIN) origins.push(process.env.PORTAL_ORIGIN.replace(/\/+$/, ""));
  return origins;
}
