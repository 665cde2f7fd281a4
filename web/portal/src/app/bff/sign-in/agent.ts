/**
 * The browser's User-Agent and (behind trusted proxies) address, passed on to the control plane when a session
 * starts: they name the session's device in the session list (see src/lib/client.ts).
 */

import { clientHeaders } from "@/lib/client";

export function browserAgent(request: Request): { headers: Record<string, string> } {
  return { headers: clientHeaders(request) };
}
