"use client";

import { useState } from "react";
import { generateKeyAction } from "@/lib/actions/keys";
import { useReauthenticated } from "@/components/auth/reauthentication";
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

/** The generate form in its dialog; `onCreated` receives the new key's name and its one-time secret. */
export function GenerateKeyDialog({
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
  const sudo = useReauthenticated();
  const { errors, formError, pending, onSubmit } = useSchemaForm(
    // The same schema the REST handler uses, so the form and the API agree on every rule.
    generateKeySchema,
    readGenerateForm,
    async (data) => {
      const result = await sudo(() => generateKeyAction(data));
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
