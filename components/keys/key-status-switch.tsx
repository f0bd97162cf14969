"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { useReauthenticated } from "@/components/auth/reauthentication";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { setKeyStatusAction } from "@/lib/actions/keys";
import type { LeakReportNote } from "./leak-reports";

type Status = "active" | "inactive";

/** How long a deactivation's toast, and so its Undo, stays up: sonner pauses it on hover and focus. */
const UNDO_TOAST_MS = 10_000;

/**
 * A real switch: updates at once, reverts with a message if the server refuses. Two changes ask
 * first: reactivating a key deactivated by a leak report (whoever holds the leaked secret could
 * use it again), and deactivating a production key (its calls fail at once). Every deactivation's
 * toast offers Undo, through the same server action.
 */
/** The status as the reader's role allows: the switch for those who may change it, else the word. */
export function KeyStatus({ editable, ...props }: Parameters<typeof KeyStatusSwitch>[0] & { editable: boolean }) {
  return editable ? <KeyStatusSwitch {...props} /> : <span className="capitalize">{props.status}</span>;
}

function KeyStatusSwitch({
  id,
  name,
  status,
  environment,
  leak,
}: {
  id: number;
  name: string;
  status: Status;
  environment: string;
  /** Set while the key is inactive because someone reported it as leaked (components/keys/leak-reports.tsx). */
  leak?: LeakReportNote | null;
}) {
  const [current, setCurrent] = useState(status);
  // Cleared once the owner reactivates it: a later deactivation of their own is not a leak.
  const [reportedLeak, setReportedLeak] = useState(Boolean(leak));
  const [confirming, setConfirming] = useState<"leak" | "production" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [, startTransition] = useTransition();
  const router = useRouter();
  const sudo = useReauthenticated();
  const active = current === "active";

  function toggle() {
    if (!active && reportedLeak) setConfirming("leak");
    else if (active && environment === "production") setConfirming("production");
    else change(active ? "inactive" : "active");
  }

  function confirm() {
    setConfirming(null);
    change(active ? "inactive" : "active");
  }

  // Also Undo's path: in a list filtered by status the row may have left (and this switch with it).
  function change(next: Status) {
    const previous: Status = next === "active" ? "inactive" : "active";
    setCurrent(next);
    setError(null);
    startTransition(async () => {
      const result = await sudo(() => setKeyStatusAction({ id, status: next })).catch(() => null);
      if (result?.ok) {
        if (next === "active") {
          setReportedLeak(false);
          toast.success(`Key "${name}" is now active.`);
        } else {
          toast.success(`Key "${name}" is now inactive.`, {
            duration: UNDO_TOAST_MS,
            action: { label: "Undo", onClick: () => change("active") },
          });
        }
        // In a list filtered by status the row has just left it: focus goes to the list's heading.
        if (new URLSearchParams(window.location.search).get("status"))
          requestAnimationFrame(() => document.getElementById("keys-heading")?.focus());
      } else if (result?.status === 404) {
        // Deleted elsewhere (another tab, the API): the row goes, and the list says so.
        toast.error(`Key "${name}" no longer exists: it was deleted elsewhere.`);
        router.refresh();
      } else {
        setCurrent(previous);
        const message = result?.message ?? "Could not reach the server; the status was not changed.";
        setError(message);
        toast.error(message);
      }
    });
  }

  return (
    <div className="flex flex-col gap-1">
      <button
        type="button"
        role="switch"
        aria-checked={active}
        aria-label={`Active: ${name}`}
        onClick={toggle}
        className="group inline-flex items-center gap-2 text-sm"
      >
        <span
          aria-hidden
          className={`relative inline-flex h-5 w-9 shrink-0 rounded-full transition-colors group-focus-visible:outline group-focus-visible:outline-2 group-focus-visible:outline-offset-2 group-focus-visible:outline-indigo-500 ${active ? "bg-emerald-600" : "bg-slate-400 dark:bg-slate-600"}`}
        >
          <span
            className={`absolute top-0.5 h-4 w-4 rounded-full bg-white shadow transition-transform ${active ? "translate-x-4" : "translate-x-0.5"}`}
          />
        </span>
        <span>{active ? "Active" : "Inactive"}</span>
      </button>
      {error && <span className="text-xs text-red-700 dark:text-red-300">{error}</span>}

      <ConfirmDialog
        open={confirming === "leak"}
        title={`Reactivate "${name}"?`}
        confirmLabel="Reactivate key"
        onConfirm={confirm}
        onCancel={() => setConfirming(null)}
      >
        <p className="text-sm">
          {describeLeak(leak)} Reactivating it lets whoever holds the leaked secret use it again.
        </p>
        <p className="mt-3 text-sm">Rotating it instead gives your applications a new secret and ends the old one.</p>
      </ConfirmDialog>

      <ConfirmDialog
        open={confirming === "production"}
        title={`Deactivate "${name}"?`}
        confirmLabel="Deactivate key"
        onConfirm={confirm}
        onCancel={() => setConfirming(null)}
      >
        <p className="text-sm">
          <strong className="font-semibold break-all">{name}</strong> is a production key. Calls with it will fail with
          401 at once, until you reactivate it.
        </p>
      </ConfirmDialog>
    </div>
  );
}

function describeLeak(leak: LeakReportNote | null | undefined): string {
  // The audit row may have outlived its retention; the key's reason is still known.
  if (!leak?.reportedAt) return "This key was reported as leaked.";
  const from = leak.ip ? ` from ${leak.ip}` : "";
  return `This key was reported as leaked on ${leak.reportedAt}${from}.`;
}
