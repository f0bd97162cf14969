"use client";

import { createContext, useCallback, useContext, useId, useRef, useState, type ReactNode } from "react";
import { reauthenticateAction } from "@/lib/actions/account";
import { Dialog } from "@/components/ui/dialog";
import { button, field, fieldError, help, label } from "@/components/ui/styles";

/** What a portal action answers, as far as sudo mode cares (lib/http/portal-action.ts: ActionResult). */
type Outcome<T> =
  | { ok: true; data: T }
  | { ok: false; message: string; status?: number; fieldErrors?: Record<string, string>; reauthenticate?: true };

/** Opens the dialog; resolves true once the password (or code) was accepted, false if cancelled. */
const AskContext = createContext<() => Promise<boolean>>(async () => false);

/**
 * Sudo mode's dialog for the whole portal (lib/auth/reauthentication.ts): an action refused with
 * `reauthenticate` opens it over whatever dialog the action came from, and once the password (or
 * a two-factor code) is accepted the same action is sent again, so the user carries on where
 * they were. A wrong one keeps the dialog open with the server's message.
 */
export function ReauthenticationProvider({
  twoFactor,
  within,
  children,
}: {
  twoFactor: boolean;
  /** Sudo mode's window as words: "10 minutes". */
  within: string;
  children: ReactNode;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [method, setMethod] = useState<"password" | "code">("password");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const settle = useRef<((confirmed: boolean) => void) | null>(null);
  // Which opening of the dialog a reply belongs to: one that comes back after a cancel is ignored.
  const opening = useRef(0);

  const ask = useCallback(
    () =>
      new Promise<boolean>((resolve) => {
        settle.current?.(false);
        settle.current = resolve;
        opening.current += 1;
        setPending(false);
        setError(null);
        setMethod("password");
        setOpen(true);
      }),
    [],
  );
  const finish = (confirmed: boolean) => {
    opening.current += 1;
    setOpen(false);
    settle.current?.(confirmed);
    settle.current = null;
  };

  return (
    <AskContext.Provider value={ask}>
      {children}
      <Dialog open={open} title="Confirm it is you" onCancel={() => finish(false)}>
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            const value = String(new FormData(event.currentTarget).get("value") ?? "");
            const mine = opening.current;
            setPending(true);
            const result = await reauthenticateAction({ method, value }).catch(() => null);
            if (mine !== opening.current) return;
            setPending(false);
            if (result?.ok) finish(true);
            else setError(result?.message ?? "Could not reach the server; nothing was changed.");
          }}
        >
          <p className="text-sm">
            Generating, rotating and deleting keys, and inviting or promoting members, ask who you are once more when
            you signed in more than {within} ago. You will not be asked again for {within}.
          </p>
          <label htmlFor={`${id}-value`} className={`${label} mt-4`}>
            {method === "password" ? "Your password" : "Code from your authenticator app"}
          </label>
          <input
            // A new field when the method changes: the browser must not offer a password as a code.
            key={method}
            id={`${id}-value`}
            name="value"
            type={method === "password" ? "password" : "text"}
            autoComplete={method === "password" ? "current-password" : "one-time-code"}
            inputMode={method === "code" ? "numeric" : undefined}
            required
            autoFocus
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : `${id}-help`}
            className={`${field} w-full`}
          />
          {error ? (
            <p id={`${id}-error`} className={fieldError}>
              {error}
            </p>
          ) : (
            <p id={`${id}-help`} className={help}>
              Nothing is changed until you confirm.
            </p>
          )}
          {twoFactor && (
            <button
              type="button"
              className="mt-3 text-sm font-medium text-indigo-700 underline hover:no-underline dark:text-indigo-300"
              onClick={() => {
                setError(null);
                setMethod(method === "password" ? "code" : "password");
              }}
            >
              {method === "password" ? "Use a two-factor code instead" : "Use your password instead"}
            </button>
          )}
          <div className="mt-6 flex justify-end gap-2">
            <button type="button" className={button.secondary} onClick={() => finish(false)}>
              Cancel
            </button>
            <button type="submit" className={button.primary} disabled={pending}>
              {pending ? "Checking…" : "Confirm"}
            </button>
          </div>
        </form>
      </Dialog>
    </AskContext.Provider>
  );
}

/**
 * Wraps a sensitive portal action: sent once; if sudo mode's window has passed, the dialog asks
 * for the password and, once given, the action is sent again. Cancelled: a refusal that says so.
 */
export function useReauthenticated() {
  const ask = useContext(AskContext);
  return useCallback(
    async <T,>(call: () => Promise<Outcome<T>>): Promise<Outcome<T>> => {
      const first = await call();
      if (first.ok || !first.reauthenticate) return first;
      if (!(await ask())) return { ok: false, message: "Not confirmed: nothing was changed." };
      return call();
    },
    [ask],
  );
}
