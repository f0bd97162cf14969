"use client";

import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { toast } from "sonner";
import { TextField } from "@/components/auth/text-field";
import { Dialog } from "@/components/ui/dialog";
import { alertError, button, field, fieldError, label } from "@/components/ui/styles";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { createRouteAction, updateRouteAction } from "@/lib/actions/routes";
import type { RouteResponse } from "@/lib/data-routes/route-commands";
import { ROUTE_METHODS, createRouteSchema } from "@/lib/data-routes/route-schemas";
import { PLANS } from "@/lib/limits/plans";

/** A payload as the form holds it: JSON text; text that is not JSON goes to the schema as is, which refuses it. */
function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The whole route from the form: edits send every field too, so the result has exactly one target. */
function readRouteForm(form: FormData) {
  const upstream = form.get("target") === "upstream";
  const timeout = String(form.get("timeout_ms") ?? "").trim();
  return {
    slug: String(form.get("slug") ?? "").trim(),
    name: form.get("name"),
    description: form.get("description") ?? "",
    min_plan: form.get("min_plan"),
    upstream_url: upstream ? String(form.get("upstream_url") ?? "").trim() : null,
    payload: upstream ? null : parsePayload(String(form.get("payload") ?? "")),
    methods: form.getAll("methods").map(String),
    timeout_ms: timeout === "" ? undefined : Number(timeout),
  };
}

/** "New route", or "Edit" for `route`: one dialog for both, checked with the REST API's schema. */
export function RouteFormDialog({ route }: { route?: RouteResponse }) {
  const [open, setOpen] = useState(false);
  const [target, setTarget] = useState<"upstream" | "payload">(route?.payload ? "payload" : "upstream");
  const router = useRouter();
  const prefix = useId();
  const { errors, formError, pending, onSubmit } = useSchemaForm(createRouteSchema, readRouteForm, async (data) => {
    const result = route ? await updateRouteAction(route.id, data) : await createRouteAction(data);
    if (!result.ok) return result;
    setOpen(false);
    toast.success(route ? `Route "${data.name}" saved.` : `Route "${data.name}" created.`);
    router.refresh();
  });
  const id = (name: string) => `${prefix}${name}`;

  return (
    <>
      <button
        type="button"
        className={route ? button.secondary : button.primary}
        onClick={() => setOpen(true)}
        aria-label={route ? `Edit ${route.name}` : undefined}
      >
        {route ? "Edit" : "New route"}
      </button>
      <Dialog open={open} title={route ? `Edit "${route.name}"` : "New route"} onCancel={() => setOpen(false)}>
        <form onSubmit={onSubmit} noValidate className="grid gap-4">
          {formError && (
            <p role="alert" className={alertError}>
              {formError}
            </p>
          )}
          <TextField
            id={id("slug")}
            name="slug"
            label="Slug"
            defaultValue={route?.slug}
            hint="The gateway path: /gw/<slug>/… (a-z first, then a-z, 0-9 and -)."
            error={errors.slug}
            required
          />
          <TextField id={id("name")} name="name" label="Name" defaultValue={route?.name} error={errors.name} required />
          <TextField
            id={id("description")}
            name="description"
            label="Description"
            defaultValue={route?.description}
            error={errors.description}
          />
          <div>
            <label htmlFor={id("min_plan")} className={label}>
              Lowest plan
            </label>
            <select
              id={id("min_plan")}
              name="min_plan"
              defaultValue={route?.min_plan ?? "free"}
              className={`${field} w-full`}
            >
              {PLANS.map((plan) => (
                <option key={plan} value={plan}>
                  {plan}
                </option>
              ))}
            </select>
          </div>
          <fieldset>
            <legend className={label}>Target</legend>
            <div className="flex gap-4 text-sm">
              {(["upstream", "payload"] as const).map((value) => (
                <label key={value} className="flex items-center gap-2">
                  <input
                    type="radio"
                    name="target"
                    value={value}
                    checked={target === value}
                    onChange={() => setTarget(value)}
                  />
                  {value === "upstream" ? "Upstream URL (gateway)" : "JSON payload"}
                </label>
              ))}
            </div>
          </fieldset>
          {target === "upstream" ? (
            <TextField
              id={id("upstream_url")}
              name="upstream_url"
              label="Upstream URL"
              type="url"
              placeholder="https://orders.internal/v1"
              defaultValue={route?.upstream_url ?? ""}
              error={errors.upstream_url}
            />
          ) : (
            <div>
              <label htmlFor={id("payload")} className={label}>
                Payload (a JSON object)
              </label>
              <textarea
                id={id("payload")}
                name="payload"
                rows={4}
                defaultValue={route?.payload ? JSON.stringify(route.payload, null, 2) : "{}"}
                aria-invalid={Boolean(errors.payload)}
                aria-describedby={errors.payload ? id("payload-error") : undefined}
                className={`${field} w-full font-mono text-sm`}
              />
              {errors.payload && (
                <p id={id("payload-error")} className={fieldError}>
                  Payload {errors.payload}
                </p>
              )}
            </div>
          )}
          <fieldset aria-describedby={errors.methods ? id("methods-error") : undefined}>
            <legend className={label}>Methods</legend>
            <div className="flex flex-wrap gap-3 text-sm">
              {ROUTE_METHODS.map((method) => (
                <label key={method} className="flex items-center gap-1.5">
                  <input
                    type="checkbox"
                    name="methods"
                    value={method}
                    defaultChecked={(route?.methods ?? ["GET"]).includes(method)}
                  />
                  {method}
                </label>
              ))}
            </div>
            {errors.methods && (
              <p id={id("methods-error")} className={fieldError}>
                Methods {errors.methods}
              </p>
            )}
          </fieldset>
          <TextField
            id={id("timeout_ms")}
            name="timeout_ms"
            label="Upstream timeout (ms)"
            type="number"
            inputMode="numeric"
            defaultValue={route?.timeout_ms ?? 10000}
            error={errors.timeout_ms}
          />
          <div className="flex justify-end gap-2">
            <button type="button" className={button.secondary} onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="submit" className={button.primary} disabled={pending}>
              {route ? "Save route" : "Create route"}
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
