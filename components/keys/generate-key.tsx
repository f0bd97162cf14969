"use client";

import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { generateKeyAction } from "@/lib/actions/keys";
import { Dialog } from "@/components/ui/dialog";
import { alertError, button, field, fieldError, help, label } from "@/components/ui/styles";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { ENVIRONMENTS, ROTATION_DAYS, suggestEnvironment, type Environment } from "@/lib/keys/key-controls";
import { generateKeySchema } from "@/lib/keys/key-schemas";
import { KeyLimitsFields, readKeyLimits, type RouteChoice } from "./key-limits-fields";

const EXPIRY_CHOICES = [
  { days: "", label: "Never" },
  { days: "7", label: "In 7 days" },
  { days: "30", label: "In 30 days" },
  { days: "90", label: "In 90 days" },
  { days: "365", label: "In 1 year" },
];

/** The dialog's fields as the generate schema takes them. */
function readGenerateForm(form: FormData) {
  const days = String(form.get("expires_in_days") ?? "");
  return {
    api_key_name: String(form.get("api_key_name") ?? ""),
    user: String(form.get("user") ?? ""),
    environment: String(form.get("environment") ?? "production"),
    ...(days ? { expires_in_days: Number(days) } : {}),
    ...readKeyLimits(form),
  };
}

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

function GenerateKeyDialog({
  open,
  onClose,
  onCreated,
  routes,
}: {
  routes: RouteChoice[];
  open: boolean;
  onClose: () => void;
  onCreated: (name: string, secret: string) => void;
}) {
  const { errors, formError, pending, onSubmit } = useSchemaForm(
    // The same schema the REST handler uses, so the form and the API agree on every rule.
    generateKeySchema,
    readGenerateForm,
    async (data) => {
      const result = await generateKeyAction(data);
      if (!result.ok) return result;
      onCreated(result.data.key.api_key_name, result.data.secret);
    },
    "Could not reach the server; no key was created.",
  );
  const [environment, setEnvironment] = useState<Environment>("production");
  const [environmentChosen, setEnvironmentChosen] = useState(false);
  const hasAccessErrors = Boolean(errors.routes || errors.ip_allowlist);

  return (
    <Dialog open={open} title="Generate New API Key" onCancel={onClose}>
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <div>
          <label htmlFor="api_key_name" className={label}>
            API Key Name
          </label>
          <input
            id="api_key_name"
            name="api_key_name"
            className={`${field} w-full`}
            placeholder="prod-api-server-main-2025-01"
            maxLength={200}
            autoFocus
            aria-invalid={Boolean(errors.api_key_name)}
            aria-describedby="api_key_name-help api_key_name-error"
            onChange={(event) => {
              // The name's prefix suggests the environment until the user picks one.
              if (!environmentChosen) setEnvironment(suggestEnvironment(event.target.value));
            }}
          />
          <p id="api_key_name-help" className={help}>
            Name it for where it runs: environment, application, purpose and date, e.g.
            staging-integration-test-2025-01.
          </p>
          {errors.api_key_name && (
            <p id="api_key_name-error" className={fieldError}>
              API Key Name {errors.api_key_name}
            </p>
          )}
        </div>
        <div>
          <label htmlFor="user" className={label}>
            Username
          </label>
          <input
            id="user"
            name="user"
            className={`${field} w-full`}
            placeholder="api_user_prod"
            autoComplete="off"
            maxLength={200}
            aria-invalid={Boolean(errors.user)}
            aria-describedby="user-help user-error"
          />
          <p id="user-help" className={help}>
            Sent as X-Username with the key. Letters, digits and . _ @ - (up to 64).
          </p>
          {errors.user && (
            <p id="user-error" className={fieldError}>
              Username {errors.user}
            </p>
          )}
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <div>
            <label htmlFor="environment" className={label}>
              Environment
            </label>
            <select
              id="environment"
              name="environment"
              value={environment}
              onChange={(event) => {
                setEnvironmentChosen(true);
                setEnvironment(event.target.value as Environment);
              }}
              aria-describedby="environment-help"
              className={`${field} w-full`}
            >
              {ENVIRONMENTS.map((env) => (
                <option key={env} value={env}>
                  {env[0].toUpperCase() + env.slice(1)}
                </option>
              ))}
            </select>
            <p id="environment-help" className={help}>
              Rotation reminder after {ROTATION_DAYS[environment]} days.
            </p>
          </div>
          <div>
            <label htmlFor="expires_in_days" className={label}>
              Expires
            </label>
            <select id="expires_in_days" name="expires_in_days" defaultValue="" className={`${field} w-full`}>
              {EXPIRY_CHOICES.map((choice) => (
                <option key={choice.days} value={choice.days}>
                  {choice.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <details className="rounded-md border border-slate-200 p-3 dark:border-slate-700" open={hasAccessErrors}>
          <summary className="cursor-pointer text-sm font-medium">Limit what this key can do (optional)</summary>
          <div className="mt-3">
            <KeyLimitsFields idPrefix="generate-" routes={routes} errors={errors} />
          </div>
        </details>
        {formError && !Object.keys(errors).length && <p className={alertError}>{formError}</p>}
        <div className="flex justify-end gap-2">
          <button type="button" className={button.secondary} onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={button.primary} disabled={pending}>
            {pending ? "Generating…" : "Generate"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

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
