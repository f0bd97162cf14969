"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";

export type ActionOutcome = { ok: true } | { ok: false; message: string; fieldErrors?: Record<string, string> };

/**
 * Runs a portal action: a toast with the outcome (sonner; announced politely), the page read again
 * on success, and `pending` while it runs so its buttons can be disabled.
 */
export function useAction() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  return {
    pending,
    run: async (action: () => Promise<ActionOutcome>, done: string): Promise<ActionOutcome> => {
      setPending(true);
      const result = await action().catch(() => ({ ok: false as const, message: "Could not reach the server." }));
      setPending(false);
      if (!result.ok) {
        toast.error(result.message);
        return result;
      }
      toast.success(done);
      router.refresh();
      return result;
    },
  };
}
