// @vitest-environment node
// The service worker as /sw.js serves it, run in a bare context: each build keeps its own caches, and activating a
// build's worker drops every other build's.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

import { describe, expect, it } from "vitest";

import { stampWorker } from "@/sw/stamp";

const WORKER = readFileSync(fileURLToPath(new URL("../src/sw/worker.js", import.meta.url)), "utf8");

type Handler = (event: { waitUntil(promise: Promise<unknown>): void }) => void;

function load(build: string, cacheNames: string[]) {
  const handlers: Record<string, Handler> = {};
  const deleted: string[] = [];
  const opened: string[] = [];
  const self = {
    location: { origin: "https://portal.example" },
    addEventListener: (type: string, handler: Handler) => (handlers[type] = handler),
    clients: { claim: async () => undefined },
    skipWaiting: () => undefined,
  };
  const caches = {
    keys: async () => cacheNames,
    delete: async (name: string) => deleted.push(name) > 0,
    open: async (name: string) => {
      opened.push(name);
      return { put: async () => undefined, addAll: async () => undefined };
    },
  };
  const fetch = async () => new Response("<html><script src=\"/_next/static/chunks/a.js\"></script></html>");
  vm.runInNewContext(stampWorker(WORKER, build), { self, caches, fetch, Response, URL, Set, Promise });
  async function fire(type: string): Promise<void> {
    let work: Promise<unknown> = Promise.resolve();
    handlers[type]!({ waitUntil: (promise) => (work = promise) });
    await work;
  }
  return { handlers, deleted, opened, fire };
}

describe("the service worker stamped with the build", () => {
  it("puts the build's id in front of the worker, as a string literal", () => {
    expect(stampWorker("// worker", 'b"1')).toBe('const BUILD = "b\\"1";\n// worker');
  });

  it("keeps the offline page in the caches of its own build", async () => {
    const worker = load("build-2", []);
    await worker.fire("install");
    expect(worker.opened).toEqual(["tenantry-build-2"]);
  });

  it("drops the caches of every other build when it takes over", async () => {
    const worker = load("build-2", ["tenantry-build-1", "tenantry-build-2", "something-else"]);
    await worker.fire("activate");
    expect(worker.deleted).toEqual(["tenantry-build-1", "something-else"]);
  });
});
