import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { createApiClient, createStoreClient } from "../src/client";
import { PROBLEM_CONTENT_TYPE, ProblemError, UNEXPECTED_RESPONSE } from "../src/problem";
import { json, type StandIn, startStandIn } from "./stand-in";

let server: StandIn;

beforeAll(async () => {
  server = await startStandIn();
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  server.requests.length = 0;
});

const product = {
  id: 7,
  name: "Blue mug",
  description: "",
  price: { amount: "12.50", currency: "EUR" },
  published: true,
  published_at: "2025-01-02T03:04:05Z",
  location: "",
  created_at: "2025-01-01T00:00:00Z",
  updated_at: "2025-01-02T03:04:05Z",
};

describe("createStoreClient", () => {
  it("sends the provider's token as a bearer token and returns the typed body", async () => {
    server.answer(json(200, product));
    const store = createStoreClient(`${server.url}/`, async () => "access-1");

    const { data } = await store.GET("/api/v1/products/{id}/", { params: { path: { id: "7" } } });

    expect(data?.name).toBe("Blue mug");
    expect(data?.price).toEqual({ amount: "12.50", currency: "EUR" });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ method: "GET", url: "/api/v1/products/7/" });
    expect(server.requests[0]?.headers.authorization).toBe("Bearer access-1");
  });

  it("asks the provider before every request and sends no Authorization header without a token", async () => {
    const tokens = ["access-1", null];
    server.answer(json(200, { results: [] }), json(200, { results: [] }));
    const store = createStoreClient(server.url, () => tokens.shift());

    await store.GET("/api/v1/products/", { params: { query: { search: "mug", published: true } } });
    await store.GET("/api/v1/products/");

    expect(server.requests.map((request) => request.url)).toEqual([
      "/api/v1/products/?search=mug&published=true",
      "/api/v1/products/",
    ]);
    expect(server.requests.map((request) => request.headers.authorization)).toEqual(["Bearer access-1", undefined]);
  });

  it("sends the request body as JSON", async () => {
    server.answer(json(200, { access: "a", refresh: "r" }));
    const store = createStoreClient(server.url, () => null);

    const { data } = await store.POST("/api/v1/auth/sign-in/", {
      body: { email: "ada@example.com", password: "correct horse" },
    });

    expect(data).toEqual({ access: "a", refresh: "r" });
    expect(server.requests[0]?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual({ email: "ada@example.com", password: "correct horse" });
  });

  it("rejects with the ProblemError the server's problem details describe", async () => {
    const problem = {
      type: "/api/problems/invalid",
      title: "Invalid input",
      status: 400,
      detail: "Some fields are invalid; see errors.",
      instance: "/api/v1/auth/register/",
      code: "invalid",
      errors: [{ pointer: "/email", detail: "Enter a valid email address.", code: "invalid" }],
    };
    server.answer(json(400, problem, PROBLEM_CONTENT_TYPE));
    const store = createStoreClient(server.url, () => null);

    const call = store.POST("/api/v1/auth/register/", {
      body: { email: "not-an-address", password: "correct horse", full_name: "Ada" },
    });

    const error = await call.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    expect({ ...(error as ProblemError) }).toEqual({ ...problem, name: "ProblemError" });
    expect((error as ProblemError).errorsAt("/email")).toEqual(problem.errors);
  });

  it("rejects with an unexpected_response ProblemError when a proxy answers with a page", async () => {
    server.answer({ status: 502, contentType: "text/html", body: "<html>Bad gateway</html>" });
    const store = createStoreClient(server.url, () => "access-1");

    const error = await store.GET("/api/v1/auth/me/").catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ status: 502, title: "Bad Gateway", code: UNEXPECTED_RESPONSE });
  });

  it("rejects with fetch's TypeError when nothing listens", async () => {
    const closed = await startStandIn();
    await closed.close();
    const store = createStoreClient(closed.url, () => null);

    await expect(store.GET("/api/v1/auth/me/")).rejects.toThrow(TypeError);
  });
});

describe("createApiClient", () => {
  // A hand-written API description: the control plane's client is this same factory over its generated paths.
  interface Paths {
    "/api/v1/tenants/{slug}/": {
      parameters: { query?: never; header?: never; path: { slug: string }; cookie?: never };
      delete: {
        parameters: { query?: never; header?: never; path: { slug: string }; cookie?: never };
        requestBody?: never;
        responses: { 204: { headers: { [name: string]: unknown }; content?: never } };
      };
    };
  }

  it("joins the base URL and the path without doubling the slash", async () => {
    server.answer({ status: 204 });
    const api = createApiClient<Paths>(`${server.url}//`, () => "access-2");

    const { response } = await api.DELETE("/api/v1/tenants/{slug}/", { params: { path: { slug: "acme" } } });

    expect(response.status).toBe(204);
    expect(server.requests[0]).toMatchObject({ method: "DELETE", url: "/api/v1/tenants/acme/" });
    expect(server.requests[0]?.headers.authorization).toBe("Bearer access-2");
  });

  it("sends every request through the fetch it was given", async () => {
    server.answer({ status: 204 });
    const sent: string[] = [];
    const api = createApiClient<Paths>(server.url, () => null, {
      fetch: (request) => {
        sent.push(`${request.method} ${new URL(request.url).pathname}`);
        return fetch(request);
      },
    });

    const { response } = await api.DELETE("/api/v1/tenants/{slug}/", { params: { path: { slug: "acme" } } });

    expect(response.status).toBe(204);
    expect(sent).toEqual(["DELETE /api/v1/tenants/acme/"]);
    expect(server.requests).toHaveLength(1);
  });
});
