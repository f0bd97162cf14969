"use client";

import { useState } from "react";
import { button } from "@/components/ui/styles";

/** A signing secret, shown this once, with a copy button. */
export function ShownSecret({ secret, title }: { secret: string; title: string }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  return (
    <div className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
      <p className="font-medium">{title}</p>
      <p>Copy it now: it is not shown again. Your receiver verifies the signature of each delivery with it.</p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <input
          readOnly
          aria-label={title}
          value={secret}
          className="min-w-0 flex-1 rounded border border-amber-300 bg-white px-2 py-1 font-mono text-xs text-slate-900 dark:bg-slate-950 dark:text-slate-100"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button
          type="button"
          className={button.secondary}
          onClick={() =>
            navigator.clipboard.writeText(secret).then(
              () => setCopied("yes"),
              () => setCopied("failed"),
            )
          }
        >
          Copy
        </button>
        <span aria-live="polite">
          {copied === "yes" ? "Copied." : copied === "failed" ? "Copy failed: select the text and copy it." : ""}
        </span>
      </div>
    </div>
  );
}
