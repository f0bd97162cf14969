"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { button } from "@/components/ui/styles";
import { deleteRouteAction } from "@/lib/actions/routes";

/** Deleting a route ends every call to it at once: asked first. */
export function DeleteRouteButton({ id, name }: { id: number; name: string }) {
  const [open, setOpen] = useState(false);
  const router = useRouter();

  async function confirm() {
    setOpen(false);
    const result = await deleteRouteAction(id).catch(() => null);
    if (result?.ok) toast.success(`Route "${name}" deleted.`);
    else toast.error(result?.message ?? "Could not reach the server; the route was not deleted.");
    router.refresh();
  }

  return (
    <>
      <button type="button" className={button.secondary} onClick={() => setOpen(true)} aria-label={`Delete ${name}`}>
        Delete
      </button>
      <ConfirmDialog
        open={open}
        title={`Delete "${name}"?`}
        confirmLabel="Delete route"
        onConfirm={() => void confirm()}
        onCancel={() => setOpen(false)}
      >
        <p className="text-sm">
          Calls to this route fail from the next one. Keys limited to it keep its id, which then matches nothing.
        </p>
      </ConfirmDialog>
    </>
  );
}
