"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { toast } from "sonner";
import { setKeyStatusAction } from "@/lib/actions/keys";

/** A real switch: updates at once, reverts with a message if the server refuses. */
export function KeyStatusSwitch({ id, name, status }: { id: number; name: string; status: "active" | "inactive" }) {
  const [current, setCurrent] = useState(status);
  const [error, setError] = useState<string | null>(null);
  const [, startTransition] = useTransition();
  const router = useRouter();
  const active = current === "active";

  function toggle() {
    const next = active ? "inactive" : "active";
    setCurrent(next);
    setError(null);
    startTransition(async () => {
      const result = await setKeyStatusAction({ id, status: next }).catch(() => null);
      if (result?.ok) {
        toast.success(`Key "${name}" is now ${next}.`);
        // In a list filtered by status the row has just left it: focus goes to the list's heading.
        if (new URLSearchParams(window.location.search).get("status"))
          requestAnimationFrame(() => document.getElementById("keys-heading")?.focus());
      } else if (result?.status === 404) {
        // Deleted elsewhere (another tab, the API): the row goes, and the list says so.
        toast.error(`Key "${name}" no longer exists: it was deleted elsewhere.`);
        router.refresh();
      } else {
        setCurrent(active ? "active" : "inactive");
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
    </div>
  );
}
