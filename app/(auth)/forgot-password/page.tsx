import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ForgotPasswordForm } from "@/components/auth/forgot-password-form";
import { mailConfigured } from "@/lib/mail/mailer";

export const metadata: Metadata = { title: "Forgot password" };
export const dynamic = "force-dynamic";

/** Only with SMTP_URL set: without mail, the operator's `npm run admin -- reset-link` is the way back. */
export default function ForgotPasswordPage() {
  if (!mailConfigured()) notFound();
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-4">
      <h1 className="mb-6 text-2xl font-semibold">Forgot your password?</h1>
      <ForgotPasswordForm />
    </main>
  );
}
