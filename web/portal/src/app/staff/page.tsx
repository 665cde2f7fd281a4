import "../staff.css";

import { ProblemError } from "@tenantry/api-client";
import type { Metadata } from "next";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";

import { Notices } from "@/components/Notices";
import { Queries } from "@/components/Queries";
import { Words } from "@/components/Words";
import { StaffConsole } from "@/components/staff/StaffConsole";
import { controlPlane } from "@/lib/api";
import { requestContext } from "@/lib/request";
import { heldAccess, REFRESH_COOKIE } from "@/lib/session";

export const metadata: Metadata = { title: "Staff console", robots: { index: false } };

/**
 * The platform staff's console: every tenant by state, with suspend/resume/retry, and the platform's figures.
 * The control plane's ops API is the gate (is_staff, who cannot sign in without a second factor); this page asks
 * /auth/me/ first so that anyone else gets a clear refusal (HTTP 403, ./forbidden.tsx) instead of a console of errors.
 */
export default async function StaffPage() {
  const [{ t, locale }, jar] = await Promise.all([requestContext(), cookies()]);
  const access = heldAccess(jar.get(REFRESH_COOKIE)?.value);
  const down = (detail: string) => (
    <>
      <h1>{t("staff.title")}</h1>
      <p className="alert" role="alert">
        {detail}
      </p>
    </>
  );
  if (!access) return down(t("staff.apiDown"));
  let me;
  try {
    me = (await controlPlane(access).GET("/api/v1/auth/me/")).data;
  } catch (error) {
    if (error instanceof ProblemError && error.status === 401) redirect("/sign-in?next=/staff");
    return down(error instanceof ProblemError && error.code !== "unexpected_response" ? error.detail : t("staff.apiDown"));
  }
  if (!me?.is_staff) forbidden(); // HTTP 403 with ./forbidden.tsx
  return (
    <div className="staff">
      <h1>{t("staff.title")}</h1>
      <p className="muted">{me.email}</p>
      <Words areas={["base", "staff"]}>
        <Queries>
          <StaffConsole days={30} />
        </Queries>
        <Notices />
      </Words>
    </div>
  );
}
