/**
 * The forms' rules in zod (zod/mini), and `resolve`, which checks a form's values against one for React Hook Form.
 * Loaded on a form's first validation (`lazyResolver`, src/lib/form-resolver.ts), not with the page: zod is about
 * 17 kB of gzip JavaScript that no page needs before its form is sent.
 *
 * The rules copy the control plane's request bodies (lengths, formats, enums, required fields) and are checked
 * against them: tests/schemas-openapi.test.ts compares each schema here, as JSON Schema, with the request body it
 * feeds in the API's OpenAPI schema (web/packages/api-client/src/generated/control-plane.requests.json, made by
 * `make clients`), and fails when they drift apart. A new schema here needs a line in that test's table.
 */

import type { FieldError, FieldValues, ResolverResult } from "react-hook-form";

import * as z from "@/lib/zod";

import type { Translate } from "./i18n";
import { PASSWORD_MAX, PASSWORD_MIN } from "./passwords";
import { APP_CODE, BACKUP_CODE, normalizeCode } from "./security";
import { PLANS, SLUG_MAX, SLUG_MIN, SLUG_PATTERN } from "./signup";

/** The API's longest email address (RFC 5321's 254 characters, the serializers' max_length). */
export const EMAIL_MAX = 254;
/** The API's longest code field (a TOTP or backup code with room for separators). */
export const CODE_MAX = 32;

/** Checks `values` against `schema`: the parsed values, or each field's first problem at its path. */
export async function resolve<Input extends FieldValues, Output>(
  schema: z.ZodMiniType<Output, Input>,
  values: Input,
): Promise<ResolverResult<Input, Output>> {
  const result = await z.safeParseAsync(schema, values);
  if (result.success) return { values: result.data, errors: {} };
  const errors: Record<string, unknown> = {};
  for (const issue of result.error.issues) {
    const path = issue.path.map(String);
    let node = errors;
    for (const part of path.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
    const last = path.at(-1) ?? "root";
    if (!node[last]) node[last] = { type: issue.code, message: issue.message } satisfies FieldError;
  }
  return { values: {}, errors: errors as ResolverResult<Input, Output>["errors"] };
}

const requiredEmail = (t: Translate) =>
  z.pipe(
    // An address longer than the API takes is no email address: the same words (every page has them).
    z.string().check(z.trim(), z.minLength(1, t("field.required")), z.maxLength(EMAIL_MAX, t("field.email"))),
    z.email(t("field.email")),
  );

/**
 * A new password as the browser checks it: the rules of Django's validators on the control plane that need no
 * server (at least 10 characters, at most 128, not only digits, not only spaces). "Too common" and "too like
 * your email" are the API's to say; its answer shows at the field. Sign-up, reset and change use the same.
 */
export function newPasswordSchema(t: Translate) {
  return z.string().check(
    z.minLength(1, t("field.required")),
    z.minLength(PASSWORD_MIN, t("signup.passwordShort")),
    z.maxLength(PASSWORD_MAX, t("signup.passwordLong")),
    z.refine((value) => !/^\d+$/.test(value), t("signup.passwordNumeric")),
    z.refine((value) => value.trim() !== "", t("signup.passwordBlank")),
  );
}

/** "The same again": `confirm` must equal `password`'s value. */
function confirmed(t: Translate, password: string) {
  return z.refine<Record<string, unknown>>((input) => input[password] === input.confirm, {
    path: ["confirm"],
    message: t("field.passwordsDiffer"),
  });
}

/**
 * A password typed to be checked (sign-in, the current one): any. The API's limit (4096 characters) is left to it:
 * no one types that much, the sign-in page has no words for it, and the API's field error shows at the field.
 */
const typedPassword = (t: Translate) => z.string().check(z.minLength(1, t("field.required")));

export function credentialsSchema(t: Translate) {
  return z.object({ email: requiredEmail(t), password: typedPassword(t) });
}

/** The sign-in's second step: the code as typed (the API says whether it is right). */
export function challengeSchema(t: Translate) {
  return z.object({
    code: z.string().check(z.trim(), z.minLength(1, t("field.required")), z.maxLength(CODE_MAX, t("security.code.anyFormat"))),
  });
}

export function forgotSchema(t: Translate) {
  return z.object({ email: requiredEmail(t) });
}

export function resetSchema(t: Translate) {
  return z
    .object({ password: newPasswordSchema(t), confirm: z.string().check(z.minLength(1, t("field.required"))) })
    .check(confirmed(t, "password"));
}

export function passwordChangeSchema(t: Translate) {
  return z
    .object({
      current_password: typedPassword(t),
      new_password: newPasswordSchema(t),
      confirm: z.string().check(z.minLength(1, t("field.required"))),
    })
    .check(confirmed(t, "new_password"));
}

/** A form with one code: an app code only, or (`backup`) an app code or a backup code. */
export function codeSchema(t: Translate, backup: boolean) {
  return z.object({
    code: z.pipe(
      z.pipe(z.string(), z.transform(normalizeCode)),
      z.string().check(
        z.minLength(1, t("field.required")),
        z.maxLength(CODE_MAX, t(backup ? "security.code.anyFormat" : "security.code.appFormat")),
        z.refine((code) => APP_CODE.test(code) || (backup && BACKUP_CODE.test(code)), {
          message: t(backup ? "security.code.anyFormat" : "security.code.appFormat"),
        }),
      ),
    ),
  });
}

export function inviteSchema<Role extends string>(t: Translate, roles: readonly [Role, ...Role[]]) {
  return z.object({ email: requiredEmail(t), role: z.enum(roles) });
}

export function accountSchema(t: Translate) {
  return z.object({ full_name: z.string().check(z.trim(), z.maxLength(150)), password: newPasswordSchema(t) });
}

/** The plan to change to (picked among those the API lists): one the API knows (its PlanName enum), not the current one. */
export function planChoiceSchema(t: Translate, current: string) {
  return z.object({
    plan: z.pipe(z.string(), z.enum(PLANS).check(z.refine((plan) => plan !== current, t("billing.plan.pickOther")))),
  });
}

/**
 * Sign-up's rules: those of the API's serializer and of Django's password validators that can be checked without
 * the server (length, not only digits, not only spaces). "Too common" and "too like your email" are the API's to
 * say; its answer shows at the password field.
 */
export function signUpSchema(t: Translate) {
  return z.object({
    store_name: z.string().check(z.trim(), z.minLength(1, t("field.required")), z.maxLength(200, t("signup.tooLong"))),
    slug: z.string().check(
      z.trim(),
      z.minLength(1, t("field.required")),
      z.minLength(SLUG_MIN, t("signup.slugFormat")),
      z.maxLength(SLUG_MAX, t("signup.slugFormat")),
      z.regex(SLUG_PATTERN, t("signup.slugFormat")),
    ),
    email: requiredEmail(t),
    password: newPasswordSchema(t),
    plan: z.enum(PLANS),
  });
}

export type Credentials = z.infer<ReturnType<typeof credentialsSchema>>;
export type Challenge = z.infer<ReturnType<typeof challengeSchema>>;
export type Forgot = z.infer<ReturnType<typeof forgotSchema>>;
export type Reset = z.infer<ReturnType<typeof resetSchema>>;
export type PasswordChangeInput = z.infer<ReturnType<typeof passwordChangeSchema>>;
export type CodeInput = z.input<ReturnType<typeof codeSchema>>;
export type CodeOutput = z.output<ReturnType<typeof codeSchema>>;
export type Account = z.infer<ReturnType<typeof accountSchema>>;
export type PlanChoice = z.input<ReturnType<typeof planChoiceSchema>>;
export type SignUpInput = z.infer<ReturnType<typeof signUpSchema>>;
