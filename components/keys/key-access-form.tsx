"use client";

import { toast } from "sonner";
import { updateKeyAction } from "@/lib/actions/keys";
import { alertError, button, field, label } from "@/components/ui/styles";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { ENVIRONMENTS } from "@/lib/keys/key-controls";
import { updateKeySchema } from "@/lib/keys/key-schemas";
import { KeyLimitsFields, readKeyLimits, type KeyLimits, type RouteChoice } from "./key-limits-fields";

type Access = KeyLimits & { environment: string };

/** The form as PATCH /api/api-keys/{id} takes it. */
function readAccessForm(form: FormData) {
  return { environment: String(form.get("environment") ?? "production"), ...readKeyLimits(form) };
}

/** A key's limits, editable: applied to the very next call with the key, on every instance. */
export function KeyAccessForm({ id, access, routes }: { id: number; access: Access; routes: RouteChoice[] }) {
  const { errors, formError, pending, onSubmit } = useSchemaForm(
    updateKeySchema,
    readAccessForm,
    async (changes) => {
      const result = await updateKeyAction({ id, changes });
      if (!result.ok) return result;
      toast.success("Access saved; it applies to the next call with this key.");
    },
    "Could not reach the server; nothing was changed.",
  );
  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="access-heading" className="space-y-4">
      <h2 id="access-heading" className="font-semibold">
        Access
      </h2>
      <div className="max-w-xs">
        <label htmlFor="access-environment" className={label}>
          Environment
        </label>
        <select
          id="access-environment"
          name="environment"
          defaultValue={access.environment}
          className={`${field} w-full`}
        >
          {ENVIRONMENTS.map((env) => (
            <option key={env} value={env}>
              {env[0].toUpperCase() + env.slice(1)}
            </option>
          ))}
        </select>
      </div>
      <KeyLimitsFields idPrefix="access-" routes={routes} initial={access} errors={errors} />
      {formError && !Object.keys(errors).length && <p className={alertError}>{formError}</p>}
      <button type="submit" className={button.secondary} disabled={pending}>
        {pending ? "Saving…" : "Save access"}
      </button>
    </form>
  );
}
