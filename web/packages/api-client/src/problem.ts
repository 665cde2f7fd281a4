/**
 * RFC 9457 problem details, the error body of both Tenantry APIs, as a typed Error.
 *
 * Every response with an error status becomes a ProblemError: the server's problem details when
 * it sent them, else (a proxy's HTML page, a body cut short) one that says what came instead, with
 * the code `unexpected_response`.
 */

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
/** The code of a ProblemError made from a response that carried no problem details. */
export const UNEXPECTED_RESPONSE = "unexpected_response";

/** One message about one place in the input (code `invalid`). */
export interface ProblemFieldError {
  /** A JSON Pointer into the input (`/address/city`, `/items/2/sku`; "" for the input as a whole). */
  pointer: string;
  detail: string;
  code: string;
}

/** The members of the `Problem` component of the APIs' schemas. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  /** For programs: one of the codes the schema lists (or `unexpected_response`). */
  code: string;
  errors?: ProblemFieldError[];
  /** With server errors: quote it when reporting one. */
  request_id?: string;
}

export class ProblemError extends Error implements Problem {
  override readonly name = "ProblemError";
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
  readonly code: string;
  readonly errors: ProblemFieldError[];
  readonly request_id?: string;

  constructor(problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail}`);
    this.type = problem.type;
    this.title = problem.title;
    this.status = problem.status;
    this.detail = problem.detail;
    this.code = problem.code;
    this.errors = problem.errors ?? [];
    if (problem.instance !== undefined) this.instance = problem.instance;
    if (problem.request_id !== undefined) this.request_id = problem.request_id;
  }

  /** The messages about one place in the input, e.g. `problem.errorsAt("/email")`. */
  errorsAt(pointer: string): ProblemFieldError[] {
    return this.errors.filter((error) => error.pointer === pointer);
  }

  /** The problem an error response carries. Reads the body: pass a clone to read it again. */
  static async fromResponse(response: Response): Promise<ProblemError> {
    const mediaType = (response.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const text = await response.text().catch(() => "");
    if (mediaType === PROBLEM_CONTENT_TYPE || mediaType === "application/json") {
      const problem = parseProblem(text, response.status);
      if (problem) return new ProblemError(problem);
    }
    const what = mediaType || "no content type";
    return new ProblemError({
      type: "about:blank",
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      detail: `The server answered ${response.status} with ${what}, not problem details.`,
      code: UNEXPECTED_RESPONSE,
    });
  }
}

/**
 * The problem details in a response body, or null when the body is not one (not JSON, not an
 * object, or without a string `code`). Members of the wrong type are dropped, field errors without
 * a string pointer, detail and code too; a missing `status` is the response's.
 */
export function parseProblem(body: string, responseStatus: number): Problem | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || typeof parsed.code !== "string") return null;
  const status = typeof parsed.status === "number" && Number.isInteger(parsed.status) ? parsed.status : responseStatus;
  const problem: Problem = {
    type: stringOr(parsed.type, "about:blank"),
    title: stringOr(parsed.title, ""),
    status,
    detail: stringOr(parsed.detail, ""),
    code: parsed.code,
  };
  if (typeof parsed.instance === "string") problem.instance = parsed.instance;
  if (typeof parsed.request_id === "string") problem.request_id = parsed.request_id;
  if (Array.isArray(parsed.errors)) problem.errors = parsed.errors.filter(isFieldError);
  return problem;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function isFieldError(value: unknown): value is ProblemFieldError {
  return (
    isRecord(value) &&
    typeof value.pointer === "string" &&
    typeof value.detail === "string" &&
    typeof value.code === "string"
  );
}
