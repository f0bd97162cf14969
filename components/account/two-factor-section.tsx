"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { TextField } from "@/components/auth/text-field";
import { alertError, button } from "@/components/ui/styles";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { confirmTwoFactorAction, disableTwoFactorAction, startTwoFactorAction } from "@/lib/actions/account";
import { confirmTwoFactorSchema, disableTwoFactorSchema, startTwoFactorSchema } from "@/lib/auth/auth-schemas";

type Enrolment = { secret: string; otpauth_url: string; qr: string };

/**
 * Two-factor sign-in on the account page: turn on (password → scan the QR code or type the setup
 * key → a code confirms it → the recovery codes, shown once), or turn off with a code.
 */
export function TwoFactorSection({ enabled }: { enabled: boolean }) {
  const router = useRouter();
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);

  const start = useSchemaForm(
    startTwoFactorSchema,
    (form) => ({ current_password: form.get("current_password_2fa") }),
    async (data) => {
      const result = await startTwoFactorAction(data);
      if (!result.ok) return { message: result.message };
      setEnrolment(result.data);
    },
  );
  const confirm = useSchemaForm(
    confirmTwoFactorSchema,
    (form) => ({ code: String(form.get("enrol_code") ?? "").trim() }),
    async (data) => {
      const result = await confirmTwoFactorAction(data);
      if (!result.ok) return { message: result.message };
      setEnrolment(null);
      setRecoveryCodes(result.data.recovery_codes);
      toast.success("Two-factor sign-in is on.");
    },
  );
  const disable = useSchemaForm(
    disableTwoFactorSchema,
    (form) => ({ code: String(form.get("disable_code") ?? "").trim() }),
    async (data) => {
      const result = await disableTwoFactorAction(data);
      if (!result.ok) return { message: result.message };
      toast.success("Two-factor sign-in is off.");
      router.refresh();
    },
  );

  if (recoveryCodes) {
    return (
      <div className="mt-4 max-w-md rounded-lg border border-slate-200 p-4 dark:border-slate-800">
        <h3 className="font-medium">Your recovery codes</h3>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Each signs you in once without your authenticator app. They are shown only now: keep them somewhere safe.
        </p>
        <ul aria-label="Recovery codes" className="mt-3 grid grid-cols-2 gap-1 font-mono text-sm">
          {recoveryCodes.map((code) => (
            <li key={code}>{code}</li>
          ))}
        </ul>
        <button
          type="button"
          className={`${button.primary} mt-4`}
          onClick={() => {
            setRecoveryCodes(null);
            router.refresh();
          }}
        >
          I have saved my recovery codes
        </button>
      </div>
    );
  }
  if (enrolment) {
    return (
      <form onSubmit={confirm.onSubmit} className="mt-4 max-w-md space-y-4" noValidate>
        <p className="text-sm">Scan this code with your authenticator app, or type the setup key into it.</p>
        {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL drawn by the server action */}
        <img src={enrolment.qr} width={192} height={192} alt="QR code for your authenticator app" />
        <p className="text-sm">
          Setup key: <code className="font-mono break-all">{enrolment.secret}</code>
        </p>
        <TextField
          id="enrol_code"
          label="Code from the app"
          autoComplete="one-time-code"
          inputMode="numeric"
          error={confirm.errors.code}
        />
        {confirm.formError && <p className={alertError}>{confirm.formError}</p>}
        <button type="submit" className={button.primary} disabled={confirm.pending}>
          Turn on two-factor sign-in
        </button>
      </form>
    );
  }
  if (enabled) {
    return (
      <form onSubmit={disable.onSubmit} className="mt-4 max-w-md space-y-4" noValidate>
        <p className="text-sm">
          <strong>On.</strong> Signing in asks for a code from your authenticator app (or a recovery code).
        </p>
        <TextField
          id="disable_code"
          label="Code to turn it off"
          autoComplete="one-time-code"
          hint="A code from your app, or a recovery code."
          error={disable.errors.code}
        />
        {disable.formError && <p className={alertError}>{disable.formError}</p>}
        <button type="submit" className={button.danger} disabled={disable.pending}>
          Turn off two-factor sign-in
        </button>
      </form>
    );
  }
  return (
    <form onSubmit={start.onSubmit} className="mt-4 max-w-md space-y-4" noValidate>
      <p className="text-sm">
        <strong>Off.</strong> With it on, signing in also asks for a code from an authenticator app.
      </p>
      <TextField
        id="current_password_2fa"
        label="Your password"
        type="password"
        autoComplete="current-password"
        error={start.errors.current_password}
      />
      {start.formError && <p className={alertError}>{start.formError}</p>}
      <button type="submit" className={button.primary} disabled={start.pending}>
        Set up two-factor sign-in
      </button>
    </form>
  );
}
