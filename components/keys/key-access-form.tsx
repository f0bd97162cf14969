"use client";

import { toast } from "sonner";
import { updateKeyAction } from "@/lib/actions/keys";
import { alertError, button, field, fieldError, help, label } from "@/components/ui/styles";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { ENVIRONMENTS } from "@/lib/keys/key-controls";
import { updateKeySchema } from "@/lib/validation/schemas";
import type { RouteChoice } from "./generate-key";

interface Access {
  environment: string;
  routes: number[] | null;
  read_only: boolean;
  ip_allowlist: string[] | null;
}

/** The form as PATCH /api/api-keys/{id} takes it: unchecked routes and an empty list mean "no limit" (null). */
function readAccessForm(form: FormData) {
  const routes = form.getAll("routes").map(Number);
  const ips = String(form.get("ip_allowlist") ?? "")
    .split(/[\s,]+/)
    .filter(Boolean);
  return {
    environment: String(form.get("environment") ?? "production"),
    routes: routes.length ? routes : null,
    read_only: form.get("read_only") === "on",
    ip_allowlist: ips.length ? ips : null,
  };
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
  // A key limited to a route the plan no longer allows still shows that route, so saving keeps it.
  const choices = [
    ...routes,
    ...(access.routes ?? []).filter((r) => !routes.some((c) => c.id === r)).map((r) => ({ id: r, name: "" })),
  ];

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
      <fieldset aria-describedby="access-routes-help">
        <legend className="text-sm font-medium">Routes</legend>
        <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
          {choices.map((route) => (
            <label key={route.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name="routes"
                value={route.id}
                defaultChecked={access.routes?.includes(route.id) ?? false}
                className="h-4 w-4"
              />
              {route.name ? `${route.id} · ${route.name}` : route.id}
            </label>
          ))}
        </div>
        <p id="access-routes-help" className={help}>
          None checked: every route your plan allows.
        </p>
        {errors.routes && <p className={fieldError}>Routes {errors.routes}</p>}
      </fieldset>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="read_only" defaultChecked={access.read_only} className="h-4 w-4" />
        Read-only (refuse write methods)
      </label>
      <div>
        <label htmlFor="access-ip-allowlist" className={label}>
          Allowed IP addresses
        </label>
        <textarea
          id="access-ip-allowlist"
          name="ip_allowlist"
          rows={3}
          spellCheck={false}
          defaultValue={(access.ip_allowlist ?? []).join("\n")}
          aria-invalid={Boolean(errors.ip_allowlist)}
          aria-describedby="access-ip-help access-ip-error"
          className={`${field} w-full max-w-md font-mono text-sm`}
        />
        <p id="access-ip-help" className={help}>
          One address or CIDR range per line, up to 50. Empty: any address.
        </p>
        {errors.ip_allowlist && (
          <p id="access-ip-error" className={fieldError}>
            Allowed IP addresses: {errors.ip_allowlist}
          </p>
        )}
      </div>
      {formError && !Object.keys(errors).length && <p className={alertError}>{formError}</p>}
      <button type="submit" className={button.secondary} disabled={pending}>
        {pending ? "Saving…" : "Save access"}
      </button>
    </form>
  );
}
