"use client";

/**
 * The console's two parts, loaded just after the page rather than with it: their code (the typed API client, the
 * mutations, the charts' glue) stays out of /staff's first-load JavaScript, which the budget holds under 150 kB
 * (tests/test_portal_budget.py). Until they arrive, a skeleton holds their place.
 */

import dynamic from "next/dynamic";

function Skeleton({ tall = false }: { tall?: boolean }) {
  return (
    <div className={`staff-section staff-skeleton${tall ? " staff-skeleton-charts" : ""}`} aria-hidden="true">
      <span />
      <span />
    </div>
  );
}

const StaffTenants = dynamic(() => import("./StaffTenants").then((module) => module.StaffTenants), {
  ssr: false,
  loading: () => <Skeleton />,
});
const StaffCharts = dynamic(() => import("./StaffCharts").then((module) => module.StaffCharts), {
  ssr: false,
  loading: () => <Skeleton tall />,
});

export function StaffConsole({ days }: { days: number }) {
  return (
    <>
      <StaffTenants />
      <StaffCharts days={days} />
    </>
  );
}
