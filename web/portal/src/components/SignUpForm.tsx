"use client";

/**
 * Sign up: the store's name and address (derived from the name until edited, checked as one types),
 * the owner's email and password (with a strength meter), and a plan. One Idempotency-Key per form
 * content: kept in sessionStorage by the content's digest until a store is made (src/lib/signup-key.ts,
 * imported when the form is sent), so a double click, a retry after a lost answer, or a reload and the same form sent
 * again make one store. The API's field errors show at their fields.
 */

import type { ControlPlaneComponents, Problem } from "@tenantry/api-client";
import { useEffect, useRef, useState } from "react";
import { useForm } from "react-hook-form";

import { Field, FormAlert } from "@tenantry/ui";
import { lazyResolver } from "@/lib/form-resolver";
import { fieldMessage, otherMessages } from "@/lib/forms";
import type { Locale } from "@/lib/i18n";
import { useHasMessage, useT } from "@tenantry/i18n/client";
import {
  type PlanName,
  passwordStrength,
  SIGN_UP_FIELDS,
  type SignedUp,
  type SignUpInput,
  slugFromName,
  slugIsWellFormed,
  STRENGTH_KEYS,
  submitSignUp,
} from "@/lib/signup";

export interface PlanOffer {
  name: PlanName;
  title: string;
  amount: string;
  currency: string;
  features: string[];
}

export interface SignUpFormProps {
  locale: Locale;
  /** The plans with their prices (null: the API could not be reached; the free plan only). */
  plans: PlanOffer[] | null;
  /** The BFF's origin: "" (the page's own) but in tests. */
  bffUrl?: string;
  /** How long the address check waits after the last keystroke, in ms. */
  debounceMs?: number;
  /** What happens once signed up; by default, load the progress page. */
  onSignedUp?: (result: SignedUp) => void;
}

function useDebounced<T>(value: T, delay: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return debounced;
}

type SlugAnswer = ControlPlaneComponents["schemas"]["SlugAvailability"];

async function askSlug(bffUrl: string, slug: string, locale: string, signal: AbortSignal): Promise<SlugAnswer> {
  const response = await fetch(`${bffUrl}/bff/api/v1/signup/slug/?${new URLSearchParams({ slug })}`, {
    headers: { Accept: "application/json", "Accept-Language": locale }, // the API's messages in the page's language
    credentials: "same-origin",
    signal,
  });
  if (!response.ok) throw new Error(`the address check answered ${response.status}`);
  return (await response.json()) as SlugAnswer;
}

/**
 * Whether `slug` is free, asked once typing paused: an answer is reused for a few seconds, and the request for
 * an address typed over is aborted. A small hook, not TanStack Query: this is a check while typing that no other
 * part of the page shares, and the library (14 kB) would be the only thing taking /sign-up over its JS budget.
 * Plain fetch for the same reason (the typed client is only types here).
 */
function useSlugCheck(bffUrl: string, slug: string, locale: string) {
  type State = { slug: string; data?: SlugAnswer; failed?: boolean; fetching: boolean };
  const [state, setState] = useState<State>({ slug: "", fetching: false });
  const answers = useRef(new Map<string, { at: number; data: SlugAnswer }>());
  useEffect(() => {
    if (!slugIsWellFormed(slug)) {
      setState({ slug, fetching: false });
      return;
    }
    const known = answers.current.get(slug);
    if (known && Date.now() - known.at < 5_000) {
      setState({ slug, data: known.data, fetching: false });
      return;
    }
    const controller = new AbortController();
    setState((before) => ({ slug, data: before.slug === slug ? before.data : undefined, fetching: true }));
    askSlug(bffUrl, slug, locale, controller.signal).then(
      (data) => {
        answers.current.set(slug, { at: Date.now(), data });
        setState({ slug, data, fetching: false });
      },
      () => {
        if (!controller.signal.aborted) setState({ slug, failed: true, fetching: false });
      },
    );
    return () => controller.abort();
  }, [bffUrl, slug, locale]);
  const current = state.slug === slug;
  return {
    data: current ? state.data : undefined,
    isFetching: current && state.fetching,
    isError: current && Boolean(state.failed),
  };
}

/** A plan's features in words: all of the first plan's, then what each adds to the one before. */
function PlanFeatures({ offer, previous }: { offer: PlanOffer; previous?: PlanOffer }) {
  const t = useT();
  const has = useHasMessage();
  const features = previous ? offer.features.filter((feature) => !previous.features.includes(feature)) : offer.features;
  if (!features.length) return null;
  const name = (feature: string) => {
    const key = `signup.feature.${feature}`;
    return has(key) ? t(key) : feature.replace(/_/g, " ");
  };
  return (
    <span className="plan-features">
      {previous ? `${t("signup.featuresMore", { plan: previous.title })} ` : null}
      {features.map(name).join(" · ")}
    </span>
  );
}

function price(locale: Locale, amount: string, currency: string): string {
  const value = Number(amount);
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase() }).format(value);
  } catch {
    return `${amount} ${currency}`;
  }
}

export function SignUpForm({ locale, plans, bffUrl = "", debounceMs = 400, onSignedUp }: SignUpFormProps) {
  const t = useT();
  const done = onSignedUp ?? ((result: SignedUp) => window.location.assign(result.progress));
  const [alert, setAlert] = useState<string[]>([]);
  const inFlight = useRef(false);
  const slugEdited = useRef(false);

  const form = useForm<SignUpInput>({
    defaultValues: { store_name: "", slug: "", email: "", password: "", plan: "free" },
    resolver: lazyResolver((schemas) => schemas.signUpSchema(t)),
  });
  const { register, setValue, setError, watch, formState } = form;
  const { errors, isSubmitting } = formState;

  const slug = watch("slug");
  const password = watch("password");
  const email = watch("email");
  const storeName = watch("store_name");
  const plan = watch("plan");
  const checked = useDebounced(slug, debounceMs);
  const availability = useSlugCheck(bffUrl, checked, locale);

  const nameField = register("store_name", {
    onChange: (event: { target: { value: string } }) => {
      if (!slugEdited.current) setValue("slug", slugFromName(event.target.value), { shouldValidate: formState.isSubmitted });
    },
  });
  const slugField = register("slug", {
    onChange: () => {
      slugEdited.current = true;
    },
  });

  const signUp = form.handleSubmit(async (input) => {
    if (inFlight.current) return; // a second click while the first is on its way: the button is disabled, this is the belt
    inFlight.current = true;
    setAlert([]);
    try {
      const keys = await import("@/lib/signup-key").catch(() => null);
      if (!keys) {
        setAlert([t("error.network")]); // the portal's own file did not load: the same as the API out of reach
        return;
      }
      const outcome = await submitSignUp(bffUrl, input, keys.signUpKey(await keys.signUpDigest(input)), locale);
      if (outcome.ok) {
        keys.forgetSignUpKey();
        done(outcome.data);
        return;
      }
      if (!("problem" in outcome)) {
        setAlert([t("error.network")]); // the same key on the next attempt: if the store was made, it is answered again
        return;
      }
      if (outcome.problem.code === "idempotency_key_reused") keys.forgetSignUpKey(); // the key went with other content
      report(outcome.problem);
    } finally {
      inFlight.current = false;
    }
  });

  /** The API's words about an address, in the page's language where the code is known (the API speaks English). */
  function slugMessage(code: string | undefined, slug: string, fallback: string): string {
    return code === "slug_taken" || code === "reserved_slug" ? t(`signup.${code}`, { slug }) : fallback;
  }

  function report(problem: Problem) {
    let first: (typeof SIGN_UP_FIELDS)[number] | null = null;
    for (const field of SIGN_UP_FIELDS) {
      let message = fieldMessage(problem, field);
      const slugCode = problem.errors?.find((error) => error.pointer === "/slug")?.code;
      if (message && field === "slug") message = slugMessage(slugCode, form.getValues("slug"), message);
      if (message) {
        setError(field, { type: "server", message });
        first ??= field;
      }
    }
    if (first) form.setFocus(first);
    const others = otherMessages(problem, SIGN_UP_FIELDS);
    setAlert(problem.status >= 500 && problem.request_id ? [...others, `${t("error.generic")} ${problem.request_id}`] : others);
  }

  const strength = password ? passwordStrength(password, [email.split("@")[0] ?? "", storeName, slug]) : null;
  const slugError = errors.slug?.message;
  const describedSlug = ["slug-help", "slug-status", slugError ? "slug-error" : ""].filter(Boolean).join(" ");
  const answer = availability.data && availability.data.slug === slug ? availability.data : null;
  const checking = slugIsWellFormed(slug) && (slug !== checked || availability.isFetching);

  const offers = plans ?? [];
  const previousOf = (offer: PlanOffer) => offers[offers.findIndex((other) => other.name === offer.name) - 1];

  const fieldError = (id: string, message: string | undefined) =>
    message ? (
      <p id={`${id}-error`} className="error">
        {message}
      </p>
    ) : null;

  return (
    <form className="stack signup" onSubmit={signUp} noValidate aria-label={t("signup.title")}>
      <FormAlert messages={alert} />

      <Field
        id="store_name"
        label={t("signup.storeName")}
        error={errors.store_name?.message}
        autoComplete="organization"
        {...nameField}
      />

      <div className="field">
        <label htmlFor="slug">{t("signup.slug")}</label>
        <input
          id="slug"
          autoComplete="off"
          autoCapitalize="none"
          spellCheck={false}
          inputMode="url"
          aria-invalid={slugError || (answer && !answer.available) ? true : undefined}
          aria-describedby={describedSlug}
          {...slugField}
        />
        <p id="slug-help" className="muted hint">
          {t("signup.slugHelp")}
        </p>
        {fieldError("slug", slugError)}
        <div id="slug-status" className="slug-status" role="status" aria-live="polite">
          {checking ? (
            <p className="muted">{t("signup.slugChecking")}</p>
          ) : answer?.available ? (
            <p className="success-text">✓ {t("signup.slugFree", { slug: answer.slug })}</p>
          ) : answer ? (
            <>
              {slugError ? null : <p className="error">{slugMessage(answer.code, answer.slug, answer.message)}</p>}
              {answer.suggestions.length ? (
                <div className="suggestions">
                  <span>{t("signup.slugSuggestions")}</span>
                  {answer.suggestions.map((suggestion) => (
                    <button
                      key={suggestion}
                      type="button"
                      className="chip"
                      onClick={() => {
                        slugEdited.current = true;
                        setValue("slug", suggestion, { shouldValidate: true });
                        form.clearErrors("slug");
                      }}
                    >
                      {suggestion}
                    </button>
                  ))}
                </div>
              ) : null}
            </>
          ) : availability.isError && slugIsWellFormed(slug) ? (
            <p className="muted">{t("signup.slugUnknown")}</p>
          ) : null}
        </div>
      </div>

      <Field
        id="email"
        label={t("signup.email")}
        error={errors.email?.message}
        type="email"
        autoComplete="email"
        {...register("email")}
      />

      <div className="field">
        <label htmlFor="password">{t("signup.password")}</label>
        <input
          id="password"
          type="password"
          autoComplete="new-password"
          aria-invalid={errors.password ? true : undefined}
          aria-describedby={`password-help password-strength${errors.password ? " password-error" : ""}`}
          {...register("password")}
        />
        <p id="password-help" className="muted hint">
          {t("signup.passwordHelp")}
        </p>
        <div id="password-strength" className="strength" data-score={strength ?? undefined} aria-live="polite">
          {strength !== null ? (
            <>
              <span className="meter" aria-hidden="true">
                {[0, 1, 2, 3].map((bar) => (
                  <span key={bar} className={bar < strength ? "on" : undefined} />
                ))}
              </span>
              <span>{t("signup.strength", { level: t(STRENGTH_KEYS[strength] ?? "signup.strength0") })}</span>
            </>
          ) : null}
        </div>
        {fieldError("password", errors.password?.message)}
      </div>

      <fieldset className="plans" aria-describedby={errors.plan ? "plan-error" : plans ? undefined : "plans-missing"}>
        <legend>{t("signup.plan")}</legend>
        {plans ? null : (
          <p id="plans-missing" className="muted">
            {t("signup.plansUnavailable")}
          </p>
        )}
        <div className="plan-cards">
          {(plans ?? [{ name: "free" as const, title: t("signup.free"), amount: "0", currency: "eur", features: [] }]).map(
            (offer) => (
              <label key={offer.name} className="plan-card" data-checked={plan === offer.name || undefined}>
                <input type="radio" value={offer.name} {...register("plan")} />
                <span className="plan-title">{offer.title}</span>
                <span className="plan-price">
                  {Number(offer.amount) > 0
                    ? t("signup.perMonth", { price: price(locale, offer.amount, offer.currency) })
                    : t("signup.noCharge")}
                </span>
                <PlanFeatures offer={offer} previous={previousOf(offer)} />
              </label>
            ),
          )}
        </div>
        {plan !== "free" ? <p className="muted hint">{t("signup.paidNote")}</p> : null}
        {fieldError("plan", errors.plan?.message)}
      </fieldset>

      <button type="submit" disabled={isSubmitting}>
        {isSubmitting ? t("signup.submitting") : t("signup.submit")}
      </button>
    </form>
  );
}
