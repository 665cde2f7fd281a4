/**
 * Who is calling, as the control plane should see it through the BFF: the browser's User-Agent (it names a
 * session's device) and, behind trusted proxies, the browser's address.
 *
 * The address: the control plane's uvicorn takes X-Forwarded-For from the portal (FORWARDED_ALLOW_IPS), so what
 * the BFF sends becomes the client address its rate limits, sessions and audit log use. Next.js keeps an
 * X-Forwarded-For the browser sent itself, so the header is only believed behind PORTAL_TRUSTED_PROXIES proxies
 * that append to it (an ingress): the address is then the last one the nearest of them appended. With none
 * (the default, and `make up`), nothing is forwarded and the control plane sees the portal server's address.
 */

const MAX_AGENT = 300;
const ADDRESS = /^[0-9a-fA-F:.]{2,45}$/;

function trustedProxies(): number {
  const hops = Number.parseInt(process.env.PORTAL_TRUSTED_PROXIES ?? "0", 10);
  return Number.isFinite(hops) && hops > 0 ? hops : 0;
}

/** The browser's address as the nearest trusted proxy saw it, or null when none is configured or it is unreadable. */
export function clientAddress(from: Request | Headers): string | null {
  const hops = trustedProxies();
  if (!hops) return null;
  const chain = (headersOf(from).get("x-forwarded-for") ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  const address = chain[chain.length - hops];
  return address && ADDRESS.test(address) ? address : null;
}

/**
 * Headers to send the control plane on the browser's behalf, from its request: a route handler's `Request`, or
 * a server component's `await headers()` (the public pages' searches spend the browser's budget, not the portal's).
 */
export function clientHeaders(from: Request | Headers): Record<string, string> {
  const headers: Record<string, string> = {};
  const agent = headersOf(from).get("user-agent");
  if (agent) headers["User-Agent"] = agent.slice(0, MAX_AGENT);
  const address = clientAddress(from);
  if (address) headers["X-Forwarded-For"] = address;
  return headers;
}

function headersOf(from: Request | Headers): Headers {
  return "get" in from ? from : from.headers; // Next's headers() is a Headers of its own class: no instanceof
}
