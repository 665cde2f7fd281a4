"use client";

/**
 * A store's provisioning, live: the control plane's event stream (GET /api/v1/tenants/{slug}/events/)
 * through the BFF, which adds the session's token. Each `status` event is a whole snapshot (state,
 * conditions, URL); `end` closes the stream once the store is ready, failed or deleted. EventSource
 * reconnects by itself after a dropped connection and sends Last-Event-ID, so the API does not
 * send again what the page has; when the stream reaches its time limit (`expired`) the page opens a
 * new one with `?last_event_id=`. A stream the BFF refuses (401, 404) is not retried by EventSource:
 * the page says so and offers a reload.
 */

import { type ReactNode, useEffect, useRef, useState } from "react";

import type { MessageKey } from "@/lib/i18n";
import { useT } from "@tenantry/i18n/client";
import { progressOf, stepsOf, TERMINAL, type TenantStatus } from "@/lib/signup";

export interface ProvisioningProgressProps {
  slug: string;
  /** The store's name, for the page's heading. */
  name: string;
  /** What the page says above the steps (rendered below the heading). */
  children?: ReactNode;
  /** The store's status when the page was rendered. */
  initial: Pick<TenantStatus, "slug" | "state" | "state_reason" | "url" | "conditions">;
  /** The BFF's origin: "" (the page's own) but in tests. */
  bffUrl?: string;
  /** EventSource, or a stand-in in tests. */
  eventSource?: typeof EventSource;
}

type Connection = "live" | "reconnecting" | "lost" | "closed";

export function ProvisioningProgress({ slug, name, children, initial, bffUrl = "", eventSource }: ProvisioningProgressProps) {
  const t = useT();
  const [status, setStatus] = useState(initial);
  const [connection, setConnection] = useState<Connection>(TERMINAL.has(initial.state) ? "closed" : "reconnecting");
  const lastId = useRef<string | null>(null);

  useEffect(() => {
    if (TERMINAL.has(initial.state)) return;
    const Source = eventSource ?? EventSource;
    const base = `${bffUrl}/bff/api/v1/tenants/${encodeURIComponent(slug)}/events/`;
    let source: EventSource | null = null;
    let stopped = false;

    const open = () => {
      const url = lastId.current ? `${base}?last_event_id=${encodeURIComponent(lastId.current)}` : base;
      const current = new Source(url);
      source = current;
      current.onopen = () => setConnection("live");
      current.addEventListener("status", (event) => {
        const message = event as MessageEvent<string>;
        if (message.lastEventId) lastId.current = message.lastEventId;
        setStatus(JSON.parse(message.data) as TenantStatus);
        setConnection("live");
      });
      current.addEventListener("end", (event) => {
        const data = JSON.parse((event as MessageEvent<string>).data) as { state: string; url: string | null };
        setStatus((previous) => ({ ...previous, state: data.state, url: data.url ?? previous.url }));
        current.close(); // else EventSource would reconnect and be told `end` again
        setConnection("closed");
      });
      current.addEventListener("expired", () => {
        current.close(); // the stream's time (or its access token) ran out: a new one, from where this one was
        if (!stopped) open();
      });
      current.onerror = () => {
        // CONNECTING: EventSource retries by itself (Last-Event-ID); CLOSED: refused (not a stream), it gave up.
        setConnection(current.readyState === current.CLOSED ? "lost" : "reconnecting");
      };
    };
    open();
    return () => {
      stopped = true;
      source?.close();
    };
  }, [bffUrl, eventSource, initial.state, slug]);

  const steps = stepsOf(status);
  const percent = status.state === "ready" ? 100 : progressOf(steps);
  const failed = status.state === "failed";
  const stateKey = `signup.progress.state.${status.state}` as MessageKey;

  const title =
    status.state === "ready" ? "signup.progress.titleReady" : failed ? "signup.progress.titleFailed" : "signup.progress.title";
  return (
    <section className="provisioning" aria-labelledby="progress-title">
      <h1 id="progress-title">{t(title, { name })}</h1>
      {children}
      <div className={`progress-summary${failed ? " failed" : ""}`} role="status" aria-live="polite">
        <p className="progress-state">{t(stateKey)}</p>
        {connection === "live" && !TERMINAL.has(status.state) ? (
          <p className="live">
            <span className="dot" aria-hidden="true" /> {t("signup.progress.live")}
          </p>
        ) : null}
        {connection === "reconnecting" && !TERMINAL.has(status.state) ? (
          <p className="muted">{t("signup.progress.reconnecting")}</p>
        ) : null}
      </div>

      <label className="progress-label" htmlFor="progress-bar">
        {t("signup.progress.bar")}: {percent} %
      </label>
      <progress id="progress-bar" className={failed ? "failed" : undefined} max={100} value={percent}>
        {percent} %
      </progress>

      <h2 id="progress-steps">{t("signup.progress.steps")}</h2>
      <ol className="steps">
        {steps.map((step) => (
          <li key={step.key} className={`step step-${step.state}`} data-step={step.type} data-state={step.state}>
            <span className="step-mark" aria-hidden="true">
              {step.state === "done" ? "✓" : step.state === "failed" ? "✕" : "•"}
            </span>
            <span className="step-name">{step.label ? t(step.label) : step.type}</span>
            <span className="step-state">{t(`signup.progress.${step.state}`)}</span>
          </li>
        ))}
      </ol>

      {connection === "lost" ? (
        <div className="alert" role="alert">
          <p>{t("signup.progress.lost")}</p>
          <button type="button" onClick={() => window.location.reload()}>
            {t("signup.progress.reload")}
          </button>
        </div>
      ) : null}

      {failed ? (
        <div className="alert" role="alert">
          <p className="error">{t("signup.progress.state.failed")}</p>
          {status.state_reason ? <p>{t("signup.progress.reason", { reason: status.state_reason })}</p> : null}
          <p>{t("signup.progress.failedHelp", { slug })}</p>
          <p>
            <a href="/stores">{t("signup.progress.toStores")}</a> · <a href="/sign-up">{t("signup.link")}</a>
          </p>
        </div>
      ) : null}

      {status.state === "ready" && status.url ? (
        <p className="store-link">
          <a className="button" href={status.url}>
            {t("signup.progress.open")}
          </a>{" "}
          <a href={status.url}>{status.url}</a>
        </p>
      ) : null}
    </section>
  );
}
