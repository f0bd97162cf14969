"use client";

import type { ReactNode } from "react";
import { Dialog } from "./dialog";
import { button } from "./styles";

/**
 * A question before a change that is hard to take back: what will happen, then Cancel (focused
 * first, so Enter does not confirm by accident) and the confirming action, styled as dangerous.
 */
export function ConfirmDialog({
  open,
  title,
  confirmLabel,
  onConfirm,
  onCancel,
  children,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} title={title} onCancel={onCancel}>
      {children}
      <div className="mt-6 flex justify-end gap-2">
        <button type="button" className={button.secondary} onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className={button.danger} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
