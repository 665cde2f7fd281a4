/** The installed app: the offline page, updates, in English and German. */

export const en = {} as const;

export const de: Record<keyof typeof en, string> = {};
