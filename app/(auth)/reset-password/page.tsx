import type { Metadata } from "next";
import { ResetPasswordForm } from "@/components/auth/reset-password-form";

export const metadata: Metadata = { title: "Reset your password" };
// Rendered per request: its scripts need the request's CSP nonce (proxy.ts), which a page
// prerendered at build time cannot carry.
export const dynamic = "force-dynamic";

/** Where a reset link lands (/reset-password#rst_…): open to signed-out visitors. */
export default function ResetPasswordPage() {
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-4">
      <h1 className="mb-6 text-2xl font-semibold">Reset your password</h1>
      <ResetPasswordForm />
    </main>
  );
}
