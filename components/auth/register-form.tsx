"use client";

import { signIn } from "next-auth/react";
import { useRouter, useSearchParams } from "next/navigation";
import { safeCallback } from "@/components/auth/login-form";
import { registerAction } from "@/lib/actions/auth";
import { TextField } from "@/components/auth/text-field";
import { alertError, button } from "@/components/ui/styles";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { registerSchema } from "@/lib/auth/auth-schemas";

export function RegisterForm() {
  const router = useRouter();
  // An invitation link sends new people here with callbackUrl=/invite, to join once signed up.
  const params = useSearchParams();
  const { errors, formError, pending, onSubmit } = useSchemaForm(
    registerSchema,
    (form) => {
      const username = String(form.get("username") ?? "").trim();
      return { email: form.get("email"), password: form.get("password"), ...(username ? { username } : {}) };
    },
    async (data) => {
      const result = await registerAction(data);
      if (!result.ok) return result;
      const signedIn = await signIn("credentials", { email: data.email, password: data.password, redirect: false });
      if (!signedIn || signedIn.error) {
        router.replace("/login");
        return;
      }
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
      {formError && !Object.keys(errors).length && <p className={alertError}>{formError}</p>}
      <button type="submit" disabled={pending} className={`${button.primary} w-full`}>
        {pending ? "Creating account…" : "Create account"}
      </button>
    </form>
  );
}
