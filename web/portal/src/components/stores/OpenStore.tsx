"use client";

/** "Open store": the BFF gets a one-time hand-off URL for the member, and the browser goes there. */

import { useState } from "react";

import { postJson } from "@/lib/forms";
import { useT } from "@tenantry/i18n/client";

export function OpenStore({ slug, email }: { slug: string; email: string }) {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function open() {
    setBusy(true);
    setError(null);
    const outcome = await postJson<{ url: string }>("", `/bff/stores/${encodeURIComponent(slug)}/open`, {});
    if (outcome.ok) {
      window.location.assign(outcome.data.url);
      return;
    }
    setBusy(false);
    if ("problem" in outcome && outcome.problem.status === 401) {
      window.location.assign(`/sign-in?next=/stores/${encodeURIComponent(slug)}`);
      return;
    }
    setError("problem" in outcome && outcome.problem.detail ? outcome.problem.detail : t("stores.openFailed"));
  }

  return (
    <div>
      {error ? (
        <p className="alert" role="alert">
          {error}
        </p>
      ) : null}
      <button type="button" onClick={() => void open()} disabled={busy} aria-describedby="open-help">
        {t("stores.open")}
      </button>
      <p id="open-help" className="muted">
        {t("stores.openHelp", { email })}
      </p>
    </div>
  );
}
