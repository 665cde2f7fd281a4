"use client";

/** What every client component may use: TanStack Query for server state, and the page's notices. */

import { ProblemError } from "@tenantry/api-client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";

import { ServiceWorker } from "@/components/ServiceWorker";
import { useNotices } from "@/lib/notices";

function retry(failures: number, error: unknown): boolean {
  // A problem the API answered (4xx) will not change by asking again; a network failure or a 5xx may.
  if (error instanceof ProblemError && error.status < 500 && error.code !== "unexpected_response") return false;
  return failures < 2;
}

export function Providers({ children, dismissLabel }: { children: ReactNode; dismissLabel: string }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: { staleTime: 10_000, retry, refetchOnWindowFocus: true },
          mutations: { retry: false },
        },
      }),
  );
  return (
    <QueryClientProvider client={client}>
      {children}
      <Notices dismissLabel={dismissLabel} />
      <ServiceWorker />
    </QueryClientProvider>
  );
}

function Notices({ dismissLabel }: { dismissLabel: string }) {
  const { notices, dismiss } = useNotices();
  return (
    <div className="notices" aria-live="polite">
      {notices.map((notice) => (
        <p key={notice.id} className={`notice notice-${notice.tone}`} role={notice.tone === "error" ? "alert" : "status"}>
          {notice.text}
          <button type="button" className="link" onClick={() => dismiss(notice.id)} aria-label={dismissLabel}>
            ×
          </button>
        </p>
      ))}
    </div>
  );
}
