"use client";

import { toast } from "sonner";
import { renameKeyAction } from "@/lib/actions/keys";
import { button, field, fieldError, label } from "@/components/ui/styles";
import { useSchemaForm } from "@/components/ui/use-schema-form";
import { renameKeySchema } from "@/lib/keys/key-schemas";

/** The key's name, editable in place: the same schema as PATCH /api/api-keys/{id}, a 409 shown on the field. */
export function RenameKey({ id, name }: { id: number; name: string }) {
  const { errors, formError, pending, onSubmit } = useSchemaForm(
    renameKeySchema,
    (form) => ({ api_key_name: String(form.get("api_key_name") ?? "") }),
    async (data) => {
      if (data.api_key_name === name) return;
      const result = await renameKeyAction({ id, ...data });
      if (!result.ok) return result;
      toast.success(`Key renamed to "${result.data.api_key_name}".`);
    },
    "Could not reach the server; the key was not renamed.",
  );
  // The field's own rule, or the server's refusal (a taken name), under the field.
  const error = errors.api_key_name ? `Name ${errors.api_key_name}` : formError;

  return (
    <form onSubmit={onSubmit} noValidate className="max-w-md">
      <label htmlFor="rename-key" className={label}>
        Name
      </label>
      <div className="flex gap-2">
        <input
          id="rename-key"
          name="api_key_name"
          defaultValue={name}
          maxLength={200}
          autoComplete="off"
          aria-invalid={Boolean(error)}
          aria-describedby={error ? "rename-key-error" : undefined}
          className={`${field} min-w-0 flex-1`}
        />
        <button type="submit" className={button.secondary} disabled={pending}>
          {pending ? "Saving…" : "Rename"}
        </button>
      </div>
      {error && (
        <p id="rename-key-error" className={fieldError}>
          {error}
        </p>
      )}
    </form>
  );
}
