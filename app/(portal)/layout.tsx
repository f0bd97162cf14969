import { Toaster } from "sonner";
import { PortalNav } from "@/components/portal-nav";
import { LostOrganization } from "@/components/orgs/lost-organization";
import { ReauthenticationProvider } from "@/components/auth/reauthentication";
import { requireOrganization } from "@/lib/auth/current-organization";
import { roleOf } from "@/lib/auth/roles";
import { twoFactorEnabled } from "@/lib/auth/two-factor";
import { getConfig } from "@/lib/config/env";
import { planLabel } from "@/lib/limits/plans";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const { account, organization, organizations, lostOrganization } = await requireOrganization();
  const [role, twoFactor] = await Promise.all([roleOf(account.id), twoFactorEnabled(account.id)]);
  const operator = role === "operator";
  const seconds = Math.round(getConfig().reauthWindowMs / 1000);
  const [count, unit] = seconds % 60 === 0 ? [seconds / 60, "minute"] : [seconds, "second"];
  const reauthWindow = `${count} ${unit}${count === 1 ? "" : "s"}`;
  return (
    <div className="min-h-screen">
      <a
        href="#content"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:rounded focus:bg-indigo-600 focus:px-3 focus:py-2 focus:text-white"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 dark:border-slate-800">
        <PortalNav
          email={account.email}
          plan={planLabel(organization.plan)}
          operator={operator}
          organizations={organizations}
          organizationId={organization.id}
        />
      </header>
      {lostOrganization && <LostOrganization personalId={account.id} />}
      <main id="content" className="mx-auto max-w-5xl px-4 py-8">
        {/* Sudo mode's dialog, for the key actions that ask for the password again. */}
        <ReauthenticationProvider twoFactor={twoFactor} within={reauthWindow}>
          {children}
        </ReauthenticationProvider>
      </main>
      {/* Every action's outcome (lib: sonner), announced politely to screen readers. */}
      <Toaster position="bottom-right" theme="system" closeButton />
    </div>
  );
}
