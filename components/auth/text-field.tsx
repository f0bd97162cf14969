import { field, fieldError, help, label } from "@/components/ui/styles";

/** A labelled input with optional help and an inline error wired up for screen readers. */
export function TextField({
  id,
  label: text,
  error,
  hint,
  ...input
}: { id: string; label: string; error?: string; hint?: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  const describedBy = [hint && `${id}-help`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={id} className={label}>
        {text}
      </label>
      <input
        id={id}
        name={id}
        className={`${field} w-full`}
        aria-invalid={Boolean(error)}
        aria-describedby={describedBy}
        {...input}
      />
      {hint && (
        <p id={`${id}-help`} className={help}>
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className={fieldError}>
          {text} {error}
        </p>
      )}
    </div>
  );
}
