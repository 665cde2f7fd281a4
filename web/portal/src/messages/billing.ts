/** Billing: plans, the card, invoices, usage and spend, in English and German. */

export const en = {} as const;

export const de: Record<keyof typeof en, string> = {};
