import type { Metadata } from "next";
import { PasswordForm } from "@/components/account/password-form";
import { TwoFactorSection } from "@/components/account/two-factor-section";
import { requireAccount } from "@/lib/auth/current-account";
import { twoFactorEnabled } from "@/lib/auth/two-factor";

export const metadata: Metadata = { title: "Account" };

/** The signed-in account's own settings: its password and two-factor sign-in. */
export default async function AccountPage() {
  const account = await requireAccount();
  return (
    <section aria-labelledby="account-heading">
      <h1 id="account-heading" className="text-2xl font-semibold">
        Account
      </h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">Signed in as {account.email}.</p>
      <h2 className="mt-8 text-lg font-semibold">Password</h2>
      <p className="mt-1 max-w-2xl text-sm text-slate-600 dark:text-slate-400">
        Changing it ends every other portal session and every REST login of the account; this browser stays signed in.
        Your API keys keep working.
      </p>
      <PasswordForm email={account.email} />
      <h2 className="mt-10 text-lg font-semibold">Two-factor sign-in</h2>
      <TwoFactorSection enabled={await twoFactorEnabled(account.id)} />
    </section>
  );
}
