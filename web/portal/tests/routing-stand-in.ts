/**
 * A local HTTP server for tests that answers by path (a handler per request) rather than from a queue,
 * for forms that call several endpoints in an order the test does not fix (an address check as one
 * types, then the submission). Records every request; a handler may wait before answering.
 */

import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Handler = (request: Seen, response: ServerResponse) => void | Promise<void>;

export interface RoutingStandIn {
  url: string;
  requests: Seen[];
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export function send(response: ServerResponse, status: number, body: unknown, contentType = "application/json"): void {
  response.writeHead(status, {
    "Content-Type": contentType,
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "*",
  });
  response.end(JSON.stringify(body));
}

export async function startRoutingStandIn(): Promise<RoutingStandIn> {
  const requests: Seen[] = [];
  let current: Handler = (_request, response) => send(response, 599, { detail: "no handler" });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://stand-in");
      if (request.method === "OPTIONS") {
        response.writeHead(204, {
          "Access-Control-Allow-Origin": "*",
          "Access-Control-Allow-Headers": "*",
          "Access-Control-Allow-Methods": "GET, POST",
        });
        response.end();
        return;
      }
      const seen: Seen = {
        method: request.method ?? "",
        path: url.pathname,
        query: url.searchParams,
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(seen);
      void current(seen, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle: (handler) => {
      current = handler;
    },
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
