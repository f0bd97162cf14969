"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState, useSyncExternalStore } from "react";
import { toast } from "sonner";
import { acceptInvitationAction } from "@/lib/actions/orgs";
import { alertError, button } from "@/components/ui/styles";

// The token rides in the link's fragment, which no server sees; it waits here (this tab only)
// while a signed-out visitor signs in or signs up, and is dropped once used.
const STORED = "kp_invitation";

/** The token: the link's fragment, else what this tab kept of it. Undefined while rendered on the server. */
function readToken(): string | null {
  return decodeURIComponent(window.location.hash.slice(1)) || sessionStorage.getItem(STORED);
}
const noSubscription = () => () => {};

export function AcceptInvitation({ email }: { email: string | null }) {
  const router = useRouter();
  const token = useSyncExternalStore(noSubscription, readToken, () => undefined);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!token || !window.location.hash) return;
    sessionStorage.setItem(STORED, token);
    // Out of the address bar (and of the history), once kept for this tab.
    history.replaceState(null, "", window.location.pathname);
  }, [token]);

  if (token === undefined) return <p className="text-sm">Reading the invitation…</p>;
  if (!token) {
    return (
      <p className="text-sm">
        This page needs the whole invitation link, including the part after &quot;#&quot;. Ask for the link again.
      </p>
    );
  }
  if (!email) {
    return (
      <div className="space-y-3 text-sm">
        <p>You have been invited to an organization on Key Portal. Sign in or create an account to join it.</p>
        <p className="flex gap-3">
          <Link href="/login?callbackUrl=%2Finvite" className={button.primary}>
            Sign in
          </Link>
          <Link href="/register?callbackUrl=%2Finvite" className={button.secondary}>
            Create an account
          </Link>
        </p>
      </div>
    );
  }
  return (
    <div className="space-y-3 text-sm">
      <p>
        You are signed in as <strong>{email}</strong>. Join the organization that invited you?
      </p>
      <button
        type="button"
        className={button.primary}
        disabled={pending}
        onClick={async () => {
          setPending(true);
          setError(null);
          const result = await acceptInvitationAction({ token }).catch(() => null);
          setPending(false);
          if (!result?.ok) {
            setError(result?.message ?? "Could not reach the server; you have not joined.");
            return;
          }
          sessionStorage.removeItem(STORED);
          toast.success(`You joined ${result.data.name} as ${result.data.role}.`);
          router.push("/keys");
          router.refresh();
        }}
      >
        Join organization
      </button>
      {error && (
        <p role="alert" className={alertError}>
          {error}
        </p>
      )}
    </div>
  );
}
