"use client";

import { useState } from "react";
import { toast } from "sonner";
import { renameKeyAction } from "@/lib/actions/keys";
import { button, field, fieldError, label } from "@/components/ui/styles";
import { fieldErrors } from "@/lib/validation/format-zod-error";
import { renameKeySchema } from "@/lib/validation/schemas";

/** The key's name, editable in place: the same schema as PATCH /api/api-keys/{id}, a 409 shown on the field. */
export function RenameKey({ id, name }: { id: number; name: string }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get("api_key_name") ?? "");
    const parsed = renameKeySchema.safeParse({ api_key_name: value });
    if (!parsed.success) {
      setError(`Name ${fieldErrors(parsed.error).api_key_name}`);
      return;
    }
    if (parsed.data.api_key_name === name) return;
    setPending(true);
    const result = await renameKeyAction({ id, ...parsed.data }).catch(() => null);
    setPending(false);
    if (!result?.ok) {
      setError(result?.message ?? "Could not reach the server; the key was not renamed.");
      return;
    }
    setError(null);
    toast.success(`Key renamed to "${result.data.api_key_name}".`);
  }

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
