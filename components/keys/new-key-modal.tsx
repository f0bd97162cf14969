"use client";

import { useEffect, useState } from "react";
import { toast } from "sonner";
import { Dialog } from "@/components/ui/dialog";
import { button, field, label } from "@/components/ui/styles";

/** The copy-once modal: the secret of a new key (generated or rotated), shown this one time. */
export function NewKeyModal({ name, secret, onClose }: { name: string; secret: string; onClose: () => void }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const [saved, setSaved] = useState(false);

  // Leaving the page while the key is on screen would lose it for good: ask first.
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
      toast.success("API key copied to the clipboard.");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <Dialog open title="Your new API key" onCancel={() => false}>
      <p className="mb-3 text-sm">
        Key <strong className="font-semibold">{name}</strong> is ready.
      </p>
      <p className="mb-3 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
        Copy it now and store it somewhere safe, such as an environment variable or a secret manager. It will not be
        shown again: we keep only a fingerprint of it.
      </p>
      <label htmlFor="new-api-key" className={label}>
        API key
      </label>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
        {/* Wraps instead of scrolling: the whole key is in view, sk_live_ included, at any width. */}
        <textarea
          id="new-api-key"
          readOnly
          value={secret}
          rows={2}
          spellCheck={false}
          onFocus={(event) => event.currentTarget.select()}
          className={`${field} min-w-0 flex-1 resize-none font-mono text-sm break-all`}
        />
        <button type="button" className={button.primary} onClick={copy}>
          Copy
        </button>
      </div>
      <p aria-live="polite" className="mt-2 min-h-5 text-sm">
        {copied === "yes" && "Copied to the clipboard."}
        {copied === "failed" && "Could not copy: select the key and copy it by hand."}
      </p>
      <div className="mt-4 flex items-center gap-2">
        <input
          id="saved-confirm"
          type="checkbox"
          checked={saved}
          onChange={(e) => setSaved(e.target.checked)}
          className="h-4 w-4"
        />
        <label htmlFor="saved-confirm" className="text-sm">
          I have saved this key
        </label>
      </div>
      <div className="mt-4 flex justify-end">
        <button type="button" className={button.primary} disabled={!saved} onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
