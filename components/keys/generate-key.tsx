"use client";

import { useRef, useState } from "react";
import { toast } from "sonner";
import { button } from "@/components/ui/styles";
import { GenerateKeyDialog } from "./generate-key-dialog";
import type { RouteChoice } from "./key-limits-fields";
import { NewKeyModal } from "./new-key-modal";

type Step = { kind: "closed" } | { kind: "form" } | { kind: "created"; name: string; secret: string };

/** "Generate New API Key": the form dialog, then the copy-once modal for the new secret. */
export function GenerateKey({
  disabled,
  disabledReason,
  routes,
}: {
  disabled: boolean;
  disabledReason?: string;
  routes: RouteChoice[];
}) {
  const [step, setStep] = useState<Step>({ kind: "closed" });
  // Each opening mounts a fresh form dialog, so errors from an earlier attempt are gone.
  const [formRound, setFormRound] = useState(0);
  // Focus comes back here when a dialog closes (the native <dialog> would leave it on the body
  // once its content unmounts).
  const opener = useRef<HTMLButtonElement>(null);
  const close = () => {
    setStep({ kind: "closed" });
    requestAnimationFrame(() => opener.current?.focus());
  };
  return (
    <>
      <button
        ref={opener}
        type="button"
        className={button.primary}
        disabled={disabled}
        aria-describedby={disabled ? "generate-disabled-reason" : undefined}
        onClick={() => {
          setFormRound((round) => round + 1);
          setStep({ kind: "form" });
        }}
      >
        Generate New API Key
      </button>
      {disabled && disabledReason && (
        <p id="generate-disabled-reason" className="basis-full text-right text-sm text-slate-600 dark:text-slate-400">
          {disabledReason}
        </p>
      )}
      <GenerateKeyDialog
        key={formRound}
        routes={routes}
        open={step.kind === "form"}
        onClose={close}
        onCreated={(name, secret) => setStep({ kind: "created", name, secret })}
      />
      {step.kind === "created" && (
        <NewKeyModal
          name={step.name}
          secret={step.secret}
          onClose={() => {
            toast.success(`Key "${step.name}" created.`);
            close();
          }}
        />
      )}
    </>
  );
}
