/**
 * A new password as the browser checks it: the rules of Django's validators on the control plane that need no
 * server (at least 10 characters, at most 128, not only digits, not only spaces). "Too common" and "too like
 * your email" are the API's to say; its answer shows at the field. Sign-up, reset and change use the same.
 */

import * as z from "@/lib/zod";

import type { Translate } from "./i18n";

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;

export function newPasswordSchema(t: Translate) {
  return z.string().check(
    z.minLength(1, t("field.required")),
    z.minLength(PASSWORD_MIN, t("signup.passwordShort")),
    z.maxLength(PASSWORD_MAX, t("signup.passwordLong")),
    z.refine((value) => !/^\d+$/.test(value), t("signup.passwordNumeric")),
    z.refine((value) => value.trim() !== "", t("signup.passwordBlank")),
  );
}
