"use client";

import { signIn } from "next-auth/react";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { TextField } from "@/components/auth/text-field";
import { sameOriginPath } from "@/lib/auth/callback-url";
import { alertError, button } from "@/components/ui/styles";
import { signInErrorMessage, wantsSecondFactor } from "@/lib/auth/sign-in-messages";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { loginSchema } from "@/lib/auth/auth-schemas";

/** Only same-site paths are followed after sign-in, so the link can't bounce users elsewhere. */
export function safeCallback(value: string | null): string {
  return (value && sameOriginPath(value, window.location.origin)) || "/keys";
}

/**
 * Email and password, then, for an account with two-factor sign-in, a second step asking for a
 * code from the authenticator app or a recovery code (the password is kept in this page's memory
 * for that step only, and sent again with the code: the server keeps no half-signed-in state).
 */
export function LoginForm() {
  const router = useRouter();
  const params = useSearchParams();
  const [credentials, setCredentials] = useState<{ email: string; password: string } | null>(null);
  const { errors, formError, pending, onSubmit } = useSchemaForm(
    loginSchema,
    (form) => {
      if (!credentials) return { email: form.get("email"), password: form.get("password") };
      const code = String(form.get("code") ?? "").trim();
      // Six digits are a TOTP code; anything else is read as a recovery code (xxxxx-xxxxx).
      return /^\d*$/.test(code) ? { ...credentials, totp_code: code } : { ...credentials, recovery_code: code };
    },
    async (data) => {
      const result = await signIn("credentials", { ...data, redirect: false });
      if (!result) return { message: "Could not reach the server. Try again." };
      if (result.error && wantsSecondFactor(result.error)) {
        const secondStep = credentials === null;
        setCredentials({ email: data.email, password: data.password });
        // Moving to the code step says what to do on its own; a wrong code is an error.
        return secondStep ? undefined : { message: signInErrorMessage(result.error) };
      }
      if (result.error) return { message: signInErrorMessage(result.error) };
      router.replace(safeCallback(params.get("callbackUrl")));
      router.refresh();
    },
  );

  if (credentials) {
    return (
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <p className="text-sm">Two-factor sign-in is on for {credentials.email}.</p>
        <TextField
          id="code"
          label="Two-factor code"
          autoComplete="one-time-code"
          autoFocus
          hint="The 6-digit code from your authenticator app, or one of your recovery codes."
          error={errors.totp_code ?? errors.recovery_code}
        />
        {formError && <p className={alertError}>{formError}</p>}
        <button type="submit" disabled={pending} className={`${button.primary} w-full`}>
          {pending ? "Checking…" : "Verify and sign in"}
        </button>
        <button type="button" className={`${button.secondary} w-full`} onClick={() => setCredentials(null)}>
          Back
        </button>
      </form>
    );
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField id="email" label="Email" type="email" autoComplete="email" error={errors.email} />
      <TextField
        id="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        error={errors.password}
      />
      {formError && <p className={alertError}>{formError}</p>}
      <button type="submit" disabled={pending} className={`${button.primary} w-full`}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
