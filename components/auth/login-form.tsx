"use client";

import { signIn } from "next-auth/react";
import { useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { TextField } from "@/components/auth/text-field";
import { alertError, button } from "@/components/ui/styles";
import { signInErrorMessage } from "@/lib/auth/sign-in-messages";
import { fieldErrors } from "@/lib/validation/format-zod-error";
import { loginSchema } from "@/lib/validation/schemas";

/** Only same-site paths are followed after sign-in, so the link can't bounce users elsewhere. */
function safeCallback(value: string | null): string {
  if (!value) return "/keys";
  try {
    const url = new URL(value, window.location.origin);
    const path = url.pathname + url.search;
    // "//evil.example" is same-origin as a URL here but a different host once navigated to.
    return url.origin === window.location.origin && !path.startsWith("//") ? path : "/keys";
  } catch {
    return "/keys";
  }
}

export function LoginForm() {
  const router = useRouter();
  const params = useSearchParams();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const parsed = loginSchema.safeParse({ email: form.get("email"), password: form.get("password") });
    setError(null);
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error));
      return;
    }
    setErrors({});
    setPending(true);
    const result = await signIn("credentials", { ...parsed.data, redirect: false }).catch(() => null);
    setPending(false);
    if (!result || result.error) {
      setError(result ? signInErrorMessage(result.error) : "Could not reach the server. Try again.");
      return;
    }
    router.replace(safeCallback(params.get("callbackUrl")));
    router.refresh();
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
      {error && <p className={alertError}>{error}</p>}
      <button type="submit" disabled={pending} className={`${button.primary} w-full`}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
