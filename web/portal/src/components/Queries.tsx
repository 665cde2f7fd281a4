"use client";

/**
 * TanStack Query for the client components below it (server state through the BFF). Only the pages whose client
 * components use it wrap them in it, so the others' first load does not carry TanStack Query.
 */

import { ProblemError } from "@tenantry/api-client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";

function retry(failures: number, error: unknown): boolean {
  // A problem the API answered (4xx) will not change by asking again; a network failure or a 5xx may.
  if (error instanceof ProblemError && error.status < 500 && error.code !== "unexpected_response") return false;
  return failures < 2;
}

export function Queries({ children }: { children: ReactNode }) {
  const [client] = useState(
    () =>
      new QueryClient({
        defaultOptions: {
          // Also TanStack Query's defaults, so not spelt out (a page's first load carries every byte): queries
          // refetch when the window regains focus, mutations are not retried.
          queries: { staleTime: 10_000, retry },
        },
      }),
  );
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
