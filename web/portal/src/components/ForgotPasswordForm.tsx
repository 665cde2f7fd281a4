"use client";

/** Ask for a password-reset link (/forgot-password). */

import { LinkRequestForm } from "@/components/LinkRequestForm";

export function ForgotPasswordForm({ bffUrl }: { bffUrl?: string }) {
  return (
    <LinkRequestForm
      path="/api/v1/auth/password/reset/"
      words={{ title: "forgot.title", lead: "forgot.lead", submit: "forgot.submit", sending: "forgot.sending", sent: "forgot.sent" }}
      fieldId="email"
      bffUrl={bffUrl}
    />
  );
}

/** Ask for a new verification link, on an expired or used /verify-email link. */
export function NewVerificationLink({ bffUrl }: { bffUrl?: string }) {
  return (
    <LinkRequestForm
      path="/api/v1/auth/email/verification/"
      words={{ title: "verify.newTitle", submit: "verify.newSubmit", sending: "verify.newSending", sent: "verify.newSent" }}
      fieldId="new-link-email"
      bffUrl={bffUrl}
    />
  );
}
