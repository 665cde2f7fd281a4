/** A store's page: open it, members and invitations, suspension, deletion, in English and German. */

export const en = {} as const;

export const de: Record<keyof typeof en, string> = {};
