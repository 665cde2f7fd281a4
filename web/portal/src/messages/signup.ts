/** Sign-up and the store's provisioning followed live, in English and German. */

export const en = {} as const;

export const de: Record<keyof typeof en, string> = {};
