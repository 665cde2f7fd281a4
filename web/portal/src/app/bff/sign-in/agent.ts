/**
 * The browser's User-Agent, passed on to the control plane when a session starts: it names the session's device
 * in the session list (the BFF's own would be "node"). The IP address the control plane records stays the
 * portal server's: it reads REMOTE_ADDR only.
 */

export function browserAgent(request: Request): { headers: Record<string, string> } {
  const agent = request.headers.get("user-agent");
  return { headers: agent ? { "User-Agent": agent.slice(0, 300) } : {} };
}
