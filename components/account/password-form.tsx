"use client";

import { useRouter } from "next/navigation";
import { signIn } from "next-auth/react";
import { toast } from "sonner";
import { TextField } from "@/components/auth/text-field";
import { alertError, button } from "@/components/ui/styles";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { changePasswordAction } from "@/lib/actions/account";
import { changePasswordSchema } from "@/lib/auth/auth-schemas";

/**
 * Change the password: every session ends, this one too, and the form signs this browser in
 * again with the new password, so the reader carries on where they were.
 */
export function PasswordForm({ email }: { email: string }) {
  const router = useRouter();
  const { errors, formError, pending, onSubmit } = useSchemaForm(
    changePasswordSchema,
    (form) => ({ current_password: form.get("current_password"), new_password: form.get("new_password") }),
    async (data) => {
      const result = await changePasswordAction(data);
      if (!result.ok) return result;
      const again = await signIn("credentials", { email, password: data.new_password, redirect: false });
      if (!again || again.error) {
        // With two-factor sign-in on, signing in again takes a code: the sign-in page asks for it.
        toast.success("Password changed. Sign in with the new password.");
        router.replace("/login");
        return;
      }
      toast.success("Password changed. Every other session has ended.");
      (document.getElementById("password-form") as HTMLFormElement | null)?.reset();
      router.refresh();
    },
  );
  return (
    <form id="password-form" onSubmit={onSubmit} className="mt-4 max-w-md space-y-4" noValidate>
      <TextField
        id="current_password"
        label="Current password"
        type="password"
        autoComplete="current-password"
        error={errors.current_password}
      />
      <TextField
        id="new_password"
        label="New password"
        type="password"
        autoComplete="new-password"
        hint="At least 8 characters."
        error={errors.new_password}
      />
      {formError && <p className={alertError}>{formError}</p>}
      <button type="submit" className={button.primary} disabled={pending}>
        Change password
      </button>
    </form>
  );
}
