/** The id of the page's Stripe.js script tag: the page (a server component) writes it, CardForm waits for it. */
export const STRIPE_SCRIPT_ID = "stripe-js";
