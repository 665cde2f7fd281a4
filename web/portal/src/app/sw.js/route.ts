/**
 * /sw.js: the service worker (src/sw/worker.js) with the build's id in front of it. Browsers look for a new worker
 * by comparing the script's bytes, so stamping the build makes every deploy a new worker: it installs beside the
 * old one, keeps the new offline page and static files under a new cache name, and the page offers "Reload"
 * (ServiceWorkerUpdate.tsx). Rendered once at build time, like a file of public/.
 */

import { readFile } from "node:fs/promises";
import path from "node:path";

import { stampWorker } from "@/sw/stamp";

export const dynamic = "force-static";

export async function GET(): Promise<Response> {
  const source = await readFile(path.join(process.cwd(), "src", "sw", "worker.js"), "utf8");
  return new Response(stampWorker(source, process.env.PORTAL_BUILD_ID ?? "development"), {
    headers: {
      "Content-Type": "text/javascript; charset=utf-8",
      // Browsers check the worker's script past their HTTP cache anyway; say so for proxies too.
      "Cache-Control": "no-cache",
    },
  });
}
