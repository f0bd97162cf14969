"use client";

import Link from "next/link";
import { useEffect, useState, useSyncExternalStore } from "react";
import { TextField } from "@/components/auth/text-field";
import { alertError, button } from "@/components/ui/styles";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { resetPasswordSchema } from "@/lib/auth/auth-schemas";

// The token rides in the link's fragment (no server sees it); kept for this tab only while the
// page is open, out of the address bar and the history.
const STORED = "kp_reset";
const readToken = () => decodeURIComponent(window.location.hash.slice(1)) || sessionStorage.getItem(STORED);
const noSubscription = () => () => {};

/** The page a reset link opens: a new password, posted with the token to POST /api/auth/reset-password. */
export function ResetPasswordForm() {
  const token = useSyncExternalStore(noSubscription, readToken, () => undefined);
  const [done, setDone] = useState(false);
  useEffect(() => {
    if (!token || !window.location.hash) return;
    sessionStorage.setItem(STORED, token);
    history.replaceState(null, "", window.location.pathname);
  }, [token]);
  const { errors, formError, pending, onSubmit } = useSchemaForm(
    resetPasswordSchema,
    (form) => ({ token, new_password: form.get("new_password") }),
    async (data) => {
      const response = await fetch("/api/auth/reset-password", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(data),
      });
      const body = (await response.json().catch(() => ({}))) as { message?: string };
      if (!response.ok) return { message: body.message ?? "Could not reset the password. Try again." };
      sessionStorage.removeItem(STORED);
      setDone(true);
    },
  );

  if (token === undefined) return <p className="text-sm">Reading the link…</p>;
  if (done) {
    return (
      <p className="text-sm" role="status">
        Your password is changed and every session has ended.{" "}
        <Link href="/login" className="font-medium underline">
          Sign in
        </Link>{" "}
        with the new one.
      </p>
    );
  }
  if (!token) {
    return (
      <p className="text-sm">
        This page needs the whole reset link, including the part after &quot;#&quot;. Ask for a new link.
      </p>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField
        id="new_password"
        label="New password"
        type="password"
        autoComplete="new-password"
        hint="At least 8 characters."
        error={errors.new_password}
      />
      {formError && <p className={alertError}>{formError}</p>}
      <button type="submit" disabled={pending} className={`${button.primary} w-full`}>
        Set the new password
      </button>
    </form>
  );
}
