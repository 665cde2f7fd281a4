/**
 * The length rules of a new password, as Django's validators on the control plane have them; the zod rule that
 * uses them is `newPasswordSchema` in src/lib/schemas.ts (loaded on a form's first validation).
 */

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;
