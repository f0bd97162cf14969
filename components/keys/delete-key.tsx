"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { deleteKeyAction } from "@/lib/actions/keys";
import { useReauthenticated } from "@/components/auth/reauthentication";
import { Dialog } from "@/components/ui/dialog";
import { alertError, button, field, label } from "@/components/ui/styles";

/**
 * Delete behind a confirmation that says which key (name, hint, last use). A key used in the last
 * 24 hours is probably still deployed: the user types its name to confirm (GitHub's pattern).
 */
export function DeleteKey({
  id,
  name,
  hint,
  lastUsed,
  recentlyUsed,
  afterDelete,
}: {
  id: number;
  name: string;
  hint: string;
  /** When it was last used, as the page shows it ("Never" if it was not). */
  lastUsed: string;
  recentlyUsed: boolean;
  /** Where to go once the key is gone (its own page has nothing left to show); else the list stays. */
  afterDelete?: string;
}) {
  const router = useRouter();
  const sudo = useReauthenticated();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [typed, setTyped] = useState("");
  const confirmed = !recentlyUsed || typed === name;
  // Once the row is gone, focus goes to the list's heading, so a keyboard user starts from the
  // top of the list. After the dialog's own effect has closed it: closing a <dialog> puts focus
  // back on its opener, this row's Delete button, which is about to go.
  const refocus = useRef(false);
  useEffect(() => {
    if (open || !refocus.current) return;
    refocus.current = false;
    document.getElementById("keys-heading")?.focus();
  }, [open]);

  async function confirm() {
    if (!confirmed) return;
    setPending(true);
    setError(null);
    const result = await sudo(() => deleteKeyAction({ id })).catch(() => null);
    setPending(false);
    if (result?.ok || result?.status === 404) {
      refocus.current = true;
      setOpen(false);
      // Deleted elsewhere meanwhile: nothing left to confirm; the row goes all the same.
      if (result.ok) toast.success(`Key "${name}" deleted.`);
      else toast.error(`Key "${name}" no longer exists: it was deleted elsewhere.`);
      if (afterDelete) router.push(afterDelete);
      else if (!result.ok) router.refresh();
      return;
    }
    setError(result?.message ?? "Could not reach the server; the key was not deleted.");
  }

  return (
    <>
      <button
        type="button"
        className="rounded-md px-2 py-1 text-sm font-medium text-red-700 hover:bg-red-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-red-500 dark:text-red-300 dark:hover:bg-red-950"
        aria-label={`Delete ${name}`}
        onClick={() => {
          setError(null);
          setTyped("");
          setOpen(true);
        }}
      >
        Delete
      </button>
      <Dialog open={open} title="Delete API key?" onCancel={() => setOpen(false)}>
        <p className="text-sm">
          Delete <strong className="font-semibold break-all">{name}</strong>?
        </p>
        <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-600 dark:text-slate-400">Key</dt>
          <dd className="font-mono text-xs leading-5">{hint}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Last used</dt>
          <dd>{lastUsed}</dd>
        </dl>
        <p className="mt-3 text-sm">
          Deletion is permanent and will immediately revoke access for applications using this key. A deleted key cannot
          be recovered.
        </p>
        {recentlyUsed && (
          <div className="mt-4">
            <label htmlFor={`confirm-delete-${id}`} className={label}>
              This key was used in the last 24 hours. Type <strong className="break-all">{name}</strong> to confirm.
            </label>
            <input
              id={`confirm-delete-${id}`}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
              spellCheck={false}
              className={`${field} w-full`}
            />
          </div>
        )}
        {error && <p className={`mt-3 ${alertError}`}>{error}</p>}
        <div className="mt-6 flex justify-end gap-2">
          <button type="button" className={button.secondary} onClick={() => setOpen(false)} autoFocus>
            Cancel
          </button>
          <button type="button" className={button.danger} onClick={confirm} disabled={pending || !confirmed}>
            {pending ? "Deleting…" : "Delete key"}
          </button>
        </div>
      </Dialog>
    </>
  );
}
