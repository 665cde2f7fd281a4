/** Calling the BFF from forms: JSON in, the answer or the problem out, field errors at their fields. */

import { parseProblem, type Problem } from "@tenantry/api-client";

export type Outcome<T> = { ok: true; data: T } | { ok: false; problem: Problem } | { ok: false; network: true };

/** POST `body` as JSON to the BFF route `path` (under `base`, "" for the portal's own origin). */
export async function postJson<T>(base: string, path: string, body: unknown): Promise<Outcome<T>> {
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, network: true };
  }
  const text = await response.text();
  if (response.ok) return { ok: true, data: (text ? JSON.parse(text) : null) as T };
  const problem = parseProblem(text, response.status) ?? {
    type: "about:blank",
    title: response.statusText,
    status: response.status,
    detail: "",
    code: "unexpected_response",
  };
  return { ok: false, problem };
}

/** The messages of a problem about one field (`/email`), joined. */
export function fieldMessage(problem: Problem, field: string): string | undefined {
  const messages = (problem.errors ?? []).filter((error) => error.pointer === `/${field}`).map((error) => error.detail);
  return messages.length ? messages.join(" ") : undefined;
}

/** The problem's messages that belong to no field of `fields`. */
export function otherMessages(problem: Problem, fields: readonly string[]): string[] {
  const pointers = new Set(fields.map((field) => `/${field}`));
  const errors = (problem.errors ?? []).filter((error) => !pointers.has(error.pointer)).map((error) => error.detail);
  if (errors.length) return errors;
  if ((problem.errors ?? []).length) return [];
  return [problem.detail || problem.title];
}
