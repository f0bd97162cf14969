"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { inviteMemberAction } from "@/lib/actions/orgs";
import { useReauthenticated } from "@/components/auth/reauthentication";
import { alertError, button, field, help, label } from "@/components/ui/styles";

/**
 * Invite with a copy-once link: the token in it is shown this one time (only its SHA-256 is
 * stored), single use, valid seven days, revocable from the list below.
 */
export function InviteMember({ roles }: { roles: string[] }) {
  const router = useRouter();
  const sudo = useReauthenticated();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<{ url: string; role: string } | null>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  return (
    <div>
      <form
        className="mt-3 flex flex-wrap items-end gap-3"
        onSubmit={async (event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          const email = String(form.get("email") ?? "").trim();
          setPending(true);
          setError(null);
          setCopied(null);
          const result = await sudo(() =>
            inviteMemberAction({
              role: form.get("role"),
              ...(email ? { email } : {}),
            }),
          ).catch(() => null);
          setPending(false);
          if (!result?.ok) {
            setError(result?.message ?? "Could not reach the server; no invitation was made.");
            return;
          }
          setLink({ url: result.data.url, role: result.data.role });
          router.refresh();
        }}
      >
        <div>
          <label htmlFor="invite-role" className={label}>
            Role
          </label>
          <select id="invite-role" name="role" defaultValue="developer" className={field}>
            {roles.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="invite-email" className={label}>
            Email (optional)
          </label>
          <input id="invite-email" name="email" type="email" className={field} aria-describedby="invite-email-help" />
          <p id="invite-email-help" className={help}>
            With an email, only that account can accept.
          </p>
        </div>
        <button type="submit" className={button.primary} disabled={pending}>
          Create invitation link
        </button>
      </form>
      {error && (
        <p role="alert" className={`${alertError} mt-3`}>
          {error}
        </p>
      )}
      {link && (
        <div className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          <p>
            Send this link to the person you invite as <strong>{link.role}</strong>. It is shown only now, works once
            and expires in 7 days.
          </p>
          <label htmlFor="invitation-link" className="sr-only">
            Invitation link
          </label>
          <div className="mt-2 flex flex-col gap-2 sm:flex-row">
            <input
              id="invitation-link"
              readOnly
              value={link.url}
              onFocus={(event) => event.currentTarget.select()}
              className={`${field} min-w-0 flex-1 font-mono text-xs`}
            />
            <button
              type="button"
              className={button.primary}
              onClick={async () => {
                try {
                  await navigator.clipboard.writeText(link.url);
                  setCopied("yes");
                  toast.success("Invitation link copied.");
                } catch {
                  setCopied("failed");
                }
              }}
            >
              Copy link
            </button>
          </div>
          <p aria-live="polite" className="mt-1 min-h-5">
            {copied === "yes" && "Copied to the clipboard."}
            {copied === "failed" && "Could not copy: select the link and copy it by hand."}
          </p>
          <button type="button" className="mt-1 underline" onClick={() => setLink(null)}>
            Done
          </button>
        </div>
      )}
    </div>
  );
}
