"use client";

import { useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { toast } from "sonner";
import { rotateKeyAction } from "@/lib/actions/keys";
import { useReauthenticated } from "@/components/auth/reauthentication";
import { Dialog } from "@/components/ui/dialog";
import { alertError, button } from "@/components/ui/styles";
import { NewKeyModal } from "./new-key-modal";

const GRACE_CHOICES = [
  { seconds: 0, label: "Immediately", help: "The old key stops working now." },
  { seconds: 3600, label: "In 1 hour", help: "Time to redeploy one service." },
  { seconds: 86400, label: "In 1 day", help: "Time for a scheduled rollout." },
  { seconds: 604800, label: "In 7 days", help: "Time for clients you don't control." },
] as const;

type Step = { kind: "closed" } | { kind: "choose" } | { kind: "created"; name: string; secret: string };

/**
 * Rotate: a new key with the same name, user and limits; the old one keeps working for the grace
 * period chosen here. The new secret is shown once, in the same copy-once modal as generation.
 */
export function RotateKey({ id, name, due = false }: { id: number; name: string; due?: boolean }) {
  const [step, setStep] = useState<Step>({ kind: "closed" });
  const [grace, setGrace] = useState<number>(86400);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const router = useRouter();
  const sudo = useReauthenticated();

  const close = () => {
    setStep({ kind: "closed" });
    requestAnimationFrame(() => opener.current?.focus());
  };

  async function rotate() {
    setPending(true);
    setError(null);
    try {
      const result = await sudo(() => rotateKeyAction({ id, grace_period_seconds: grace }));
      if (!result.ok) {
        if (result.status === 404) {
          toast.error(`Key "${name}" no longer exists.`);
          close();
          router.refresh();
          return;
        }
        setError(result.message);
        return;
      }
      setStep({ kind: "created", name: result.data.key.api_key_name, secret: result.data.secret });
    } catch {
      setError("Could not reach the server; the key was not rotated.");
    } finally {
      setPending(false);
    }
  }

  const choice = GRACE_CHOICES.find((c) => c.seconds === grace)!;
  return (
    <>
      <button
        ref={opener}
        type="button"
        className={`${due ? button.primary : button.secondary} px-3 py-1`}
        aria-label={`Rotate ${name}`}
        onClick={() => {
          setError(null);
          setStep({ kind: "choose" });
        }}
      >
        Rotate
      </button>
      <Dialog open={step.kind === "choose"} title={`Rotate "${name}"`} onCancel={close}>
        <div className="text-left">
          <p className="text-sm">
            A new key replaces this one, with the same name, username, environment and limits. Deploy the new key, then
            let the old one run out.
          </p>
          <fieldset className="mt-4">
            <legend className="text-sm font-medium">When should the old key stop working?</legend>
            <div className="mt-2 space-y-2">
              {GRACE_CHOICES.map((c) => (
                <label key={c.seconds} className="flex items-start gap-2 text-sm">
                  <input
                    type="radio"
                    name={`grace-${id}`}
                    value={c.seconds}
                    checked={grace === c.seconds}
                    onChange={() => setGrace(c.seconds)}
                    className="mt-0.5 h-4 w-4"
                  />
                  <span>
                    <span className="font-medium">{c.label}</span>{" "}
                    <span className="text-slate-600 dark:text-slate-400">{c.help}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <p className="mt-3 text-sm text-slate-600 dark:text-slate-400">
            Never later than the key&apos;s own expiry. {choice.seconds === 0 && "Calls with the old key fail at once."}
          </p>
          {error && <p className={`${alertError} mt-3`}>{error}</p>}
          <div className="mt-4 flex justify-end gap-2">
            <button type="button" className={button.secondary} onClick={close}>
              Cancel
            </button>
            <button type="button" className={button.primary} disabled={pending} onClick={rotate}>
              {pending ? "Rotating…" : "Rotate key"}
            </button>
          </div>
        </div>
      </Dialog>
      {step.kind === "created" && (
        <NewKeyModal
          name={step.name}
          secret={step.secret}
          onClose={() => {
            toast.success(`Key "${step.name}" rotated.`);
            setStep({ kind: "closed" });
            // The refresh drops this button from the rotated row: focus goes to the page's heading.
            // (After the dialog's own focus restore, hence the next frame.)
            requestAnimationFrame(() =>
              (document.getElementById("keys-heading") ?? document.getElementById("key-heading"))?.focus(),
            );
            router.refresh();
          }}
        />
      )}
    </>
  );
}
