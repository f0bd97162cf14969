"use client";

import { useState } from "react";
import { deleteKeyAction } from "@/app/(portal)/keys/actions";
import { Dialog } from "@/components/ui/dialog";
import { alertError, button } from "@/components/ui/styles";

export function DeleteKey({ id, name }: { id: number; name: string }) {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function confirm() {
    setPending(true);
    setError(null);
    const result = await deleteKeyAction({ id }).catch(() => null);
    setPending(false);
    if (!result?.ok) {
      setError(result?.message ?? "Could not reach the server; the key was not deleted.");
      return;
    }
    setOpen(false);
  }

  return (
    <>
      <button
        type="button"
        className="rounded-md px-2 py-1 text-sm font-medium text-red-700 hover:bg-red-50 focus-visible:outline focus-visible:outline-2 focus-visible:outline-red-500 dark:text-red-300 dark:hover:bg-red-950"
        aria-label={`Delete ${name}`}
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
      >
        Delete
      </button>
      <Dialog open={open} title="Delete API key?" onCancel={() => setOpen(false)}>
        <p className="text-sm">
          Delete <strong className="font-semibold break-all">{name}</strong>?
        </p>
        <p className="mt-2 text-sm">
          Deletion is permanent and will immediately revoke access for applications using this key. A deleted key cannot
          be recovered.
        </p>
        {error && <p className={`mt-3 ${alertError}`}>{error}</p>}
        <div className="mt-6 flex justify-end gap-2">
          <button type="button" className={button.secondary} onClick={() => setOpen(false)} autoFocus>
            Cancel
          </button>
          <button type="button" className={button.danger} onClick={confirm} disabled={pending}>
            {pending ? "Deleting…" : "Delete key"}
          </button>
        </div>
      </Dialog>
    </>
  );
}
