"use client";

import { useState, useTransition } from "react";
import { setKeyStatusAction } from "@/app/(portal)/keys/actions";

/** A real switch: updates at once, reverts with a message if the server refuses. */
export function KeyStatusSwitch({ id, name, status }: { id: number; name: string; status: "active" | "inactive" }) {
  const [current, setCurrent] = useState(status);
  const [error, setError] = useState<string | null>(null);
  const [, startTransition] = useTransition();
  const active = current === "active";

  function toggle() {
    const next = active ? "inactive" : "active";
    setCurrent(next);
    setError(null);
    startTransition(async () => {
      const result = await setKeyStatusAction({ id, status: next }).catch(() => null);
      if (!result?.ok) {
        setCurrent(active ? "active" : "inactive");
        setError(result?.message ?? "Could not reach the server; the status was not changed.");
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
