/** The platform staff's console, in English and German. */

export const en = {} as const;

export const de: Record<keyof typeof en, string> = {};
