/** Where the portal loads Stripe.js from: STRIPE_JS_URL (`make up` points it at localstripe's stand-in). */

export const DEFAULT_STRIPE_JS_URL = "https://js.stripe.com/v3/";

export function stripeJsUrl(): string {
  return process.env.STRIPE_JS_URL || DEFAULT_STRIPE_JS_URL;
}

/**
 * The origins the Content-Security-Policy must open for Stripe.js: its script's own, and for Stripe itself
 * the frames of its elements (js.stripe.com, hooks.stripe.com for 3-D Secure) and its API (api.stripe.com).
 * A stand-in such as localstripe serves the script and answers its calls from one origin.
 */
export function stripeOrigins(url: string = stripeJsUrl()): { script: string; frames: string[]; connect: string[] } {
  const script = new URL(url).origin;
  if (script === "https://js.stripe.com") {
    return { script, frames: [script, "https://hooks.stripe.com"], connect: ["https://api.stripe.com"] };
  }
  return { script, frames: [script], connect: [script] };
}
