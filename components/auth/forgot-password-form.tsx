"use client";

import { useState } from "react";
import { TextField } from "@/components/auth/text-field";
import { alertError, button } from "@/components/ui/styles";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { forgotPasswordSchema } from "@/lib/auth/auth-schemas";

/** "Forgot password?": the email, posted to POST /api/auth/forgot-password; the same answer for any email. */
export function ForgotPasswordForm() {
  const [sent, setSent] = useState<string | null>(null);
  const { errors, formError, pending, onSubmit } = useSchemaForm(
    forgotPasswordSchema,
    (form) => ({ email: form.get("email") }),
    async (data) => {
      const response = await fetch("/api/auth/forgot-password", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(data),
      });
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      if (!response.ok) return { message: body.message ?? "Could not send the link. Try again." };
      setSent(body.message ?? "");
    },
  );
  if (sent !== null) return <p role="status">{sent}. It works once, for an hour.</p>;
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField id="email" label="Email" type="email" autoComplete="email" error={errors.email} />
      {formError && <p className={alertError}>{formError}</p>}
      <button type="submit" disabled={pending} className={`${button.primary} w-full`}>
        Mail me a reset link
      </button>
    </form>
  );
}
