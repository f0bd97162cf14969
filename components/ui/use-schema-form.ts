"use client";

import { useState } from "react";
import type { z } from "zod";
import { fieldErrors } from "@/lib/validation/format-zod-error";

/** What a refused submit says: a message for the form, and one per field when the server named them. */
export interface FormFailure {
  message: string;
  fieldErrors?: Record<string, string>;
}

/**
 * The portal's one form pattern: read the FormData, check it with the same zod schema the server
 * uses (errors per field at once, no round trip), then submit; `submit` returns a FormFailure to
 * show, or nothing once it has handled success. A submit that throws (network down) says so.
 */
export function useSchemaForm<S extends z.ZodType>(
  schema: S,
  read: (form: FormData) => unknown,
  submit: (data: z.output<S>) => Promise<FormFailure | void>,
  offline = "Could not reach the server. Try again.",
) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const parsed = schema.safeParse(read(new FormData(event.currentTarget)));
    setFormError(null);
    if (!parsed.success) {
      setErrors(fieldErrors(parsed.error));
      return;
    }
    setErrors({});
    setPending(true);
    try {
      const failure = await submit(parsed.data);
      if (failure) {
        setErrors(failure.fieldErrors ?? {});
        setFormError(failure.message);
      }
    } catch {
      setFormError(offline);
    } finally {
      setPending(false);
    }
  }

  return { errors, formError, pending, onSubmit };
}
