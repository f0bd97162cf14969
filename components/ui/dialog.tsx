"use client";

import { useEffect, useId, useRef } from "react";

/**
 * A modal built on the native <dialog>: showModal() gives focus trapping, Escape and an inert
 * background for free. `onCancel` runs on Escape; return false from it to keep the dialog open.
 */
export function Dialog({
  open,
  title,
  children,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: React.ReactNode;
  onCancel: () => boolean | void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
      // Chromium lets a page prevent only one Escape per user activation; a second one closes
      // the dialog anyway. Ask again, and reopen it if the owner still wants it shown.
      onClose={() => {
        if (open && onCancel() === false) ref.current?.showModal();
      }}
      className="m-auto w-[min(100%-2rem,32rem)] rounded-lg border border-slate-200 bg-white p-0 text-left text-slate-900 shadow-xl backdrop:bg-slate-950/60 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      {open && (
        <div className="p-6">
          <h2 id={titleId} className="mb-4 text-lg font-semibold">
            {title}
          </h2>
          {children}
        </div>
      )}
    </dialog>
  );
}
