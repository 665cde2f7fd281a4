import { describe, expect, it } from "vitest";

import { PROBLEM_CONTENT_TYPE, ProblemError, parseProblem, UNEXPECTED_RESPONSE } from "../src/problem";

const invalidEmail = {
  type: "/api/problems/invalid",
  title: "Invalid input",
  status: 400,
  detail: "Some fields are invalid; see errors.",
  instance: "/api/v1/auth/register/",
  code: "invalid",
  errors: [
    { pointer: "/email", detail: "Enter a valid email address.", code: "invalid" },
    { pointer: "/email", detail: "This field may not be blank.", code: "blank" },
    { pointer: "/password", detail: "This password is too short.", code: "password_too_short" },
  ],
};

function response(status: number, body: string | null, contentType: string | null): Response {
  return new Response(body, { status, headers: contentType ? { "Content-Type": contentType } : {} });
}

describe("parseProblem", () => {
  it("reads every member of problem details", () => {
    const problem = parseProblem(JSON.stringify({ ...invalidEmail, request_id: "req-7" }), 400);

    expect(problem).toEqual({ ...invalidEmail, request_id: "req-7" });
  });

  it("takes the response's status when the body has none, and drops members of the wrong type", () => {
    const body = {
      code: "not_found",
      title: 404,
      detail: "Nothing is found at this address.",
      errors: [{ pointer: "/a", detail: "kept", code: "x" }, { pointer: 3, detail: "dropped", code: "x" }, "dropped"],
    };

    const problem = parseProblem(JSON.stringify(body), 404);

    expect(problem).toEqual({
      type: "about:blank",
      title: "",
      status: 404,
      detail: "Nothing is found at this address.",
      code: "not_found",
      errors: [{ pointer: "/a", detail: "kept", code: "x" }],
    });
  });

  it.each([
    ["not JSON", "<html>Bad gateway</html>"],
    ["a JSON array", "[1, 2]"],
    ["an object without a code", JSON.stringify({ detail: "Not found." })],
    ["an object whose code is not a string", JSON.stringify({ code: 404 })],
  ])("is null for %s", (_, body) => {
    expect(parseProblem(body, 500)).toBeNull();
  });
});

describe("ProblemError.fromResponse", () => {
  it("carries the problem details of an application/problem+json response", async () => {
    const error = await ProblemError.fromResponse(
      response(400, JSON.stringify(invalidEmail), `${PROBLEM_CONTENT_TYPE}; charset=utf-8`),
    );

    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ProblemError");
    expect(error.message).toBe("400 invalid: Some fields are invalid; see errors.");
    expect({ ...error }).toEqual({ ...invalidEmail, name: "ProblemError" });
    expect(error.errorsAt("/email").map((fieldError) => fieldError.code)).toEqual(["invalid", "blank"]);
    expect(error.errorsAt("/address")).toEqual([]);
  });

  it("says what came instead when the body is not problem details", async () => {
    const error = await ProblemError.fromResponse(response(502, "<html>Bad gateway</html>", "text/html"));

    expect({ ...error }).toEqual({
      name: "ProblemError",
      type: "about:blank",
      title: "HTTP 502",
      status: 502,
      detail: "The server answered 502 with text/html, not problem details.",
      code: UNEXPECTED_RESPONSE,
      errors: [],
    });
  });

  it("does not read problem details out of a body of another media type", async () => {
    const error = await ProblemError.fromResponse(response(403, JSON.stringify(invalidEmail), "text/plain"));

    expect(error.code).toBe(UNEXPECTED_RESPONSE);
    expect(error.status).toBe(403);
  });

  it("names a response without a content type", async () => {
    const error = await ProblemError.fromResponse(response(500, null, null));

    expect(error.detail).toBe("The server answered 500 with no content type, not problem details.");
  });
});
