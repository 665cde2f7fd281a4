/** A local HTTP server that records each request and answers with what the test queued for it. */

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Answer {
  status: number;
  contentType?: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface StandIn {
  url: string;
  requests: Recorded[];
  /** The answers to the next requests, in order; with none left the server answers 599. */
  answer(...answers: Answer[]): void;
  close(): Promise<void>;
}

export function json(status: number, body: unknown, contentType = "application/json"): Answer {
  return { status, contentType, body: JSON.stringify(body) };
}

export async function startStandIn(): Promise<StandIn> {
  const requests: Recorded[] = [];
  const queued: Answer[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      const answer = queued.shift() ?? { status: 599, contentType: "text/plain", body: "nothing queued" };
      const headers: Record<string, string> = { ...answer.headers };
      if (answer.contentType) headers["Content-Type"] = answer.contentType;
      response.writeHead(answer.status, headers);
      response.end(answer.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer: (...answers) => queued.push(...answers),
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
