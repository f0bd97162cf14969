import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { Suspense } from "react";
import { LoginForm } from "@/components/auth/login-form";
import { currentAccount } from "@/lib/auth/current-account";
import { mailConfigured } from "@/lib/mail/mailer";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage() {
  if (await currentAccount()) redirect("/keys");
  return (
    <main className="mx-auto flex min-h-screen max-w-sm flex-col justify-center px-4">
      <h1 className="mb-6 text-2xl font-semibold">Sign in to Key Portal</h1>
      <Suspense>
        <LoginForm />
      </Suspense>
      {mailConfigured() && (
        <p className="mt-4 text-sm">
          <Link href="/forgot-password" className="underline">
            Forgot password?
          </Link>
        </p>
      )}
      <p className="mt-6 text-sm">
        New here?{" "}
        <Link href="/register" className="font-medium underline">
          Create an account
        </Link>
      </p>
    </main>
  );
}
