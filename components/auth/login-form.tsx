"use client";

import { signIn } from "next-auth/react";
import { useRouter, useSearchParams } from "next/navigation";
import { TextField } from "@/components/auth/text-field";
import { sameOriginPath } from "@/lib/auth/callback-url";
import { alertError, button } from "@/components/ui/styles";
import { signInErrorMessage } from "@/lib/auth/sign-in-messages";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { loginSchema } from "@/lib/auth/auth-schemas";

/** Only same-site paths are followed after sign-in, so the link can't bounce users elsewhere. */
export function safeCallback(value: string | null): string {
  return (value && sameOriginPath(value, window.location.origin)) || "/keys";
}

export function LoginForm() {
  const router = useRouter();
  const params = useSearchParams();
  const { errors, formError, pending, onSubmit } = useSchemaForm(
    loginSchema,
    (form) => ({ email: form.get("email"), password: form.get("password") }),
    async (data) => {
      const result = await signIn("credentials", { ...data, redirect: false });
      if (!result || result.error)
        return { message: result ? signInErrorMessage(result.error) : "Could not reach the server. Try again." };
      router.replace(safeCallback(params.get("callbackUrl")));
      router.refresh();
    },
  );

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
