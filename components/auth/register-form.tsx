"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { registerAction } from "@/lib/actions/auth";
import { TextField } from "@/components/auth/text-field";
import { alertError, button } from "@/components/ui/styles";
import { fieldErrors } from "@/lib/validation/format-zod-error";
import { registerSchema } from "@/lib/validation/schemas";

export function RegisterForm() {
  const router = useRouter();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const username = String(form.get("username") ?? "").trim();
    const input = { email: form.get("email"), password: form.get("password"), ...(username ? { username } : {}) };
    const parsed = registerSchema.safeParse(input);
    setError(null);
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error));
      return;
    }
    setErrors({});
    setPending(true);
    const result = await registerAction(parsed.data).catch(() => null);
    if (!result?.ok) {
      setPending(false);
      setErrors(result?.fieldErrors ?? {});
      setError(result?.message ?? "Could not reach the server. Try again.");
      return;
    }
    const signedIn = await signIn("credentials", {
      email: parsed.data.email,
      password: parsed.data.password,
      redirect: false,
    });
    setPending(false);
    if (!signedIn || signedIn.error) {
      router.replace("/login");
      return;
    }
    router.replace("/keys");
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <TextField id="email" label="Email" type="email" autoComplete="email" error={errors.email} />
      <TextField
        id="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        hint="At least 8 characters."
        error={errors.password}
      />
      <TextField
        id="username"
        label="Username (optional)"
        autoComplete="username"
        hint="Shown in the portal; defaults to the part of your email before @."
        error={errors.username}
      />
      {error && !Object.keys(errors).length && <p className={alertError}>{error}</p>}
      <button type="submit" disabled={pending} className={`${button.primary} w-full`}>
        {pending ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
