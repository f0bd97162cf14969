import type { Metadata } from "next";
import { AcceptInvitation } from "@/components/orgs/accept-invitation";
import { currentAccount } from "@/lib/auth/current-account";

export const metadata: Metadata = { title: "Join an organization" };
export const dynamic = "force-dynamic";

/**
 * Where an invitation link lands (/invite#inv_…). Open to visitors who are signed out: the token
 * waits in the tab while they sign in or create an account, then they join from here.
 */
export default async function InvitePage() {
  const account = await currentAccount();
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col justify-center px-4">
      <h1 className="mb-4 text-2xl font-semibold">Join an organization</h1>
      <AcceptInvitation email={account?.email ?? null} />
    </main>
  );
}
