/** The account's security: two-factor authentication, backup codes, sessions, the password, in English and German. */

export const en = {} as const;

export const de: Record<keyof typeof en, string> = {};
