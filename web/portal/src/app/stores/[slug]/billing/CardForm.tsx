"use client";

/**
 * Saving a card with Stripe.js: the page loads Stripe.js (a nonce'd script tag, from STRIPE_JS_URL); this form
 * asks the API for a SetupIntent and the publishable key, mounts Stripe's card element, confirms the intent
 * with it (`confirmCardSetup`: the card goes to Stripe, never through the portal) and adds the payment method
 * it made through the BFF. Billing loads it on "Add a card" and it takes the focus then.
 */

import { type ControlPlaneClient, ProblemError } from "@tenantry/api-client";
import { useEffect, useRef, useState } from "react";

import { useT } from "@tenantry/i18n/client";

import { STRIPE_SCRIPT_ID } from "./stripe-script";
import type { PaymentMethod } from "./types";

/** The part of Stripe.js this form uses (Stripe's own and localstripe's stand-in both have it). */
interface StripeCardElement {
  mount(target: HTMLElement): void;
  destroy(): void;
}
interface StripeJs {
  elements(): { create(type: "card", options?: object): StripeCardElement };
  confirmCardSetup(
    clientSecret: string,
    data: { payment_method: { card: StripeCardElement } },
  ): Promise<{ setupIntent?: { payment_method: string | { id: string } | null }; error?: { message?: string } | null }>;
}
type StripeFactory = (publishableKey: string) => StripeJs;

export { STRIPE_SCRIPT_ID };

/** window.Stripe once the script tag has loaded it; null if it failed or took longer than `ms`. */
export function stripeLoaded(ms = 15_000): Promise<StripeFactory | null> {
  const found = () => (window as unknown as { Stripe?: StripeFactory }).Stripe ?? null;
  return new Promise((resolve) => {
    if (found()) return resolve(found());
    const script = document.getElementById(STRIPE_SCRIPT_ID);
    const timer = window.setTimeout(() => resolve(found()), ms);
    const done = () => {
      window.clearTimeout(timer);
      resolve(found());
    };
    script?.addEventListener("load", done, { once: true });
    script?.addEventListener("error", done, { once: true });
    if (!script) done();
  });
}

export interface CardFormProps {
  slug: string;
  api: ControlPlaneClient;
  onSaved: (method: PaymentMethod) => void;
}

export function CardForm({ slug, api, onSaved }: CardFormProps) {
  const t = useT();
  const mountPoint = useRef<HTMLDivElement>(null);
  const self = useRef<HTMLFormElement>(null);
  const [setup, setSetup] = useState<{ stripe: StripeJs; card: StripeCardElement; secret: string } | null>(null);
  const [alert, setAlert] = useState<string | null>(null);
  const [busy, setBusy] = useState(true);

  useEffect(() => self.current?.focus(), []);

  useEffect(() => {
    let cancelled = false;
    let card: StripeCardElement | null = null;
    (async () => {
      try {
        const [factory, answer] = await Promise.all([
          stripeLoaded(),
          api.POST("/api/v1/tenants/{slug}/payment-methods/setup", { params: { path: { slug } } }),
        ]);
        if (cancelled) return;
        if (!factory) {
          setAlert(t("billing.card.unavailable"));
          return;
        }
        const { client_secret: secret, publishable_key: key } = answer.data!;
        const stripe = factory(key);
        card = stripe.elements().create("card", { hidePostalCode: false });
        if (mountPoint.current) card.mount(mountPoint.current);
        setSetup({ stripe, card, secret });
      } catch (error) {
        if (cancelled) return;
        if (error instanceof ProblemError && error.code === "billing_not_configured") setAlert(t("billing.card.notConfigured"));
        else if (error instanceof ProblemError && error.code !== "unexpected_response") setAlert(error.detail || error.title);
        else setAlert(t("error.network"));
      } finally {
        if (!cancelled) setBusy(false);
      }
    })();
    return () => {
      cancelled = true;
      card?.destroy();
    };
    // Once per form: a new SetupIntent each time the form opens.
  }, [slug]);

  async function save(event: React.FormEvent) {
    event.preventDefault();
    if (!setup) return;
    setAlert(null);
    setBusy(true);
    try {
      const result = await setup.stripe.confirmCardSetup(setup.secret, { payment_method: { card: setup.card } });
      const made = result.setupIntent?.payment_method;
      const id = typeof made === "string" ? made : made?.id;
      if (result.error || !id) {
        setAlert(result.error?.message || t("billing.card.unavailable"));
        return;
      }
      const { data } = await api.POST("/api/v1/tenants/{slug}/payment-methods", {
        params: { path: { slug } },
        body: { payment_method: id },
      });
      onSaved(data!);
    } catch (error) {
      setAlert(error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail || error.title : t("error.network"));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={self} tabIndex={-1} className="stack card-form" onSubmit={save} noValidate aria-busy={busy} aria-label={t("billing.card.legend")}>
      <fieldset>
        <legend>{t("billing.card.legend")}</legend>
        {/* Stripe.js mounts its card element here (an iframe at Stripe; inputs with localstripe). */}
        <div ref={mountPoint} className="card-element" data-testid="card-element" />
        {busy && !setup ? <p className="muted">{t("billing.loading")}</p> : null}
      </fieldset>
      <div>
        <button type="submit" disabled={busy || !setup}>
          {busy && setup ? t("billing.card.saving") : t("billing.card.save")}
        </button>
      </div>
      {alert ? (
        <p className="alert error" role="alert">
          {alert}
        </p>
      ) : null}
    </form>
  );
}
