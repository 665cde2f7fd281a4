/** The public pages: landing, marketplace search, the store directory, in English and German. */

export const en = {} as const;

export const de: Record<keyof typeof en, string> = {};
