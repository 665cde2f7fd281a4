/**
 * Sign-up's address rules (its zod schema is in schemas.ts, loaded on the first submit), the password strength
 * estimate, the store address a name makes, the submission with its Idempotency-Key, and the steps
 * of a store's provisioning as its live status shows them.
 */

import { parseProblem, type Problem } from "@tenantry/api-client";

import type { MessageKey, Translate } from "./i18n";
import { PASSWORD_MIN } from "./passwords";
import type { SignUpInput } from "./schemas";

export const PLANS = ["free", "starter", "growth", "enterprise"] as const;
export type PlanName = (typeof PLANS)[number];

/**
 * The API's slug rules (kernel provisioning/naming.py): a DNS label of 3 to 40 characters that starts with a letter,
 * of lowercase letters, digits and single hyphens, not ending with one (so no "--").
 */
export const SLUG_MIN = 3;
export const SLUG_MAX = 40;
export const SLUG_PATTERN = /^[a-z](?:-?[a-z0-9])*$/;

/** A fresh Idempotency-Key for one submission (a double click sends the same one twice). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

export function slugIsWellFormed(slug: string): boolean {
  return slug.length >= SLUG_MIN && slug.length <= SLUG_MAX && SLUG_PATTERN.test(slug);
}

/** The address a store name makes, as the API derives it (signup/selectors.py `slug_from_name`). */
export function slugFromName(name: string): string {
  const ascii = name
    .normalize("NFKD")
    .replace(/[^\x00-\x7f]/g, "")
    .toLowerCase();
  let slug = ascii.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  if (slug && !/^[a-z]/.test(slug)) slug = `store-${slug}`;
  return slug.slice(0, SLUG_MAX).replace(/-+$/, "");
}

export type { SignUpInput };
export const SIGN_UP_FIELDS = ["store_name", "slug", "email", "password", "plan"] as const;

// -- password strength ----------------------------------------------------------------------------

const COMMON_PARTS = ["password", "passwort", "qwerty", "azerty", "letmein", "welcome", "admin", "tenantry", "123456", "abc123"];

/**
 * A rough strength, 0 (very weak) to 4 (strong): the bits of a brute-force search over the character
 * classes used, less what makes a password guessable (repeats, runs like "abcd" or "1234", common
 * words, the email's name or the store's name in it), and 0 whatever the bits below the API's
 * minimum of 10 characters. Not zxcvbn: its dictionaries would add hundreds of kB to the page's
 * first load, and the API's CommonPasswordValidator (20,000 passwords) has the last word anyway;
 * this meter only nudges towards longer passphrases.
 */
export function passwordStrength(password: string, context: readonly string[] = []): 0 | 1 | 2 | 3 | 4 {
  if (password.length < PASSWORD_MIN || /^\d+$/.test(password) || password.trim() === "") return 0;
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/\d/.test(password)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(password)) pool += 33;
  // Characters beyond the first two of a kind, and runs, add almost nothing.
  let effective = 0;
  const seen = new Map<string, number>();
  const lower = password.toLowerCase();
  for (let i = 0; i < lower.length; i++) {
    const char = lower[i] as string;
    const count = (seen.get(char) ?? 0) + 1;
    seen.set(char, count);
    const previous = i > 0 ? lower.charCodeAt(i - 1) : NaN;
    const run = Math.abs(lower.charCodeAt(i) - previous) <= 1;
    effective += count > 2 || run ? 0.25 : 1;
  }
  let bits = effective * Math.log2(Math.max(pool, 10));
  const guessable = [...COMMON_PARTS, ...context.map((part) => part.toLowerCase()).filter((part) => part.length >= 3)];
  for (const part of guessable) {
    if (lower.includes(part)) bits -= part.length * Math.log2(pool) * 0.75;
  }
  if (bits < 40) return 1;
  if (bits < 60) return 2;
  if (bits < 80) return 3;
  return 4;
}

export const STRENGTH_KEYS: readonly MessageKey[] = [
  "signup.strength0",
  "signup.strength1",
  "signup.strength2",
  "signup.strength3",
  "signup.strength4",
];

// -- the submission ---------------------------------------------------------------------------------

export interface SignedUp {
  slug: string;
  name: string;
  progress: string;
  plan: PlanName;
  subscription_required: boolean;
}

export type SignUpOutcome = { ok: true; data: SignedUp } | { ok: false; problem: Problem } | { ok: false; network: true };

/** POST the form to the BFF's /bff/signup with `key` as its Idempotency-Key (the same key for every retry). */
export async function submitSignUp(bffUrl: string, input: SignUpInput, key: string, locale = "en"): Promise<SignUpOutcome> {
  let response: Response;
  try {
    response = await fetch(`${bffUrl}/bff/signup`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "Accept-Language": locale, // the API's messages in the page's language
        "Idempotency-Key": key,
      },
      body: JSON.stringify(input),
      credentials: "same-origin",
    });
  } catch {
    return { ok: false, network: true };
  }
  const text = await response.text();
  if (response.ok) return { ok: true, data: JSON.parse(text) as SignedUp };
  const problem = parseProblem(text, response.status) ?? {
    type: "about:blank",
    title: response.statusText,
    status: response.status,
    detail: "",
    code: "unexpected_response",
  };
  return { ok: false, problem };
}

// -- provisioning, step by step ---------------------------------------------------------------------

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** A `status` event of GET /api/v1/tenants/{slug}/events/ (tenants/status_feed.py `status_of`). */
export interface TenantStatus {
  slug: string;
  state: string;
  state_reason: string;
  url: string | null;
  conditions: Condition[];
  version: number;
}

export type StepState = "pending" | "done" | "failed";
export interface Step {
  key: string;
  /** A message key for the known steps; unknown conditions are shown by their type. */
  label: MessageKey | null;
  type: string;
  state: StepState;
}

const KNOWN_CONDITIONS = ["DatabaseReady", "BrokerReady", "WorkloadReady", "Ready"] as const;
const STARTED = new Set(["provisioning", "ready", "suspended", "deleting", "deleted"]);

/**
 * The steps to show for a status: the store created, set-up started, then each condition the
 * provisioner reports (the local provisioner's four, and any other it adds), done when "True".
 * A ready store has every step done; a failed one has its first unfinished step failed.
 */
export function stepsOf(status: Pick<TenantStatus, "state" | "conditions">): Step[] {
  const conditions = new Map(status.conditions.map((condition) => [condition.type, condition]));
  const types = [...KNOWN_CONDITIONS, ...status.conditions.map((c) => c.type).filter((t) => !KNOWN_CONDITIONS.includes(t as never))];
  const ready = status.state === "ready";
  const steps: Step[] = [
    { key: "created", label: "signup.progress.step.created", type: "created", state: "done" },
    {
      key: "provisioning",
      label: "signup.progress.step.provisioning",
      type: "provisioning",
      state: STARTED.has(status.state) || status.state === "failed" ? "done" : "pending",
    },
    ...types.map((type): Step => {
      const known = (KNOWN_CONDITIONS as readonly string[]).includes(type);
      return {
        key: type,
        label: known ? (`signup.progress.step.${type}` as MessageKey) : null,
        type,
        state: ready || conditions.get(type)?.status === "True" ? "done" : "pending",
      };
    }),
  ];
  if (status.state === "failed") {
    const first = steps.find((step) => step.state === "pending");
    if (first) first.state = "failed";
  }
  return steps;
}

/** The share of steps done, 0 to 100. */
export function progressOf(steps: readonly Step[]): number {
  if (!steps.length) return 0;
  return Math.round((steps.filter((step) => step.state === "done").length / steps.length) * 100);
}

export const TERMINAL = new Set(["ready", "failed", "deleted"]);
