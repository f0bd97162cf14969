"use client";

import { useId, useState, type ReactNode } from "react";
import { changeAccountRoleAction, changeOrganizationAction, signOutAccountAction } from "@/lib/actions/admin";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog } from "@/components/ui/dialog";
import { button, field, fieldError, help, label } from "@/components/ui/styles";
import { useAction, type ActionOutcome } from "@/components/ui/use-action";

type Result = ActionOutcome;

/**
 * A confirmation that also asks for the operator's own password (re-authentication before a
 * suspension, a role change or ending someone's sessions): the action runs only with it, and a
 * wrong one keeps the dialog open with the server's message.
 */
function PasswordConfirmDialog({
  open,
  title,
  confirmLabel,
  pending,
  onConfirm,
  onCancel,
  children,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  pending: boolean;
  onConfirm: (password: string) => Promise<Result>;
  onCancel: () => void;
  children: ReactNode;
}) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  const cancel = () => {
    setError(null);
    onCancel();
  };
  return (
    <Dialog open={open} title={title} onCancel={cancel}>
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          const password = String(new FormData(event.currentTarget).get("password") ?? "");
          const result = await onConfirm(password);
          setError(result.ok ? null : (result.fieldErrors?.password ?? result.message));
        }}
      >
        {children}
        <label htmlFor={`${id}-password`} className={`${label} mt-4`}>
          Your password
        </label>
        <input
          id={`${id}-password`}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-help${error ? ` ${id}-error` : ""}`}
          className={`${field} w-full`}
        />
        <p id={`${id}-help`} className={help}>
          Asked again before acts that lock people out.
        </p>
        {error && (
          <p id={`${id}-error`} className={fieldError}>
            {error}
          </p>
        )}
        <div className="mt-6 flex justify-end gap-2">
          <button type="button" className={button.secondary} onClick={cancel}>
            Cancel
          </button>
          <button type="submit" className={button.danger} disabled={pending}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Suspend (password asked) or restore an organization: its keys get the 403 at their next call. */
export function SubscriptionControl({ id, name, subscription }: { id: number; name: string; subscription: string }) {
  const { pending, run } = useAction();
  const [open, setOpen] = useState(false);
  const suspended = subscription === "inactive";
  return (
    <>
      <button
        type="button"
        className={suspended ? button.primary : button.danger}
        onClick={() => setOpen(true)}
        disabled={pending}
      >
        {suspended ? "Restore" : "Suspend"}
      </button>
      {suspended ? (
        <ConfirmDialog
          open={open}
          title={`Restore ${name}?`}
          confirmLabel="Restore"
          onCancel={() => setOpen(false)}
          onConfirm={async () => {
            const result = await run(
              () => changeOrganizationAction({ id, changes: { subscription: "active" } }),
              `${name} is active again.`,
            );
            if (result.ok) setOpen(false);
          }}
        >
          <p className="text-sm">Its keys work again from their next call, on every server.</p>
        </ConfirmDialog>
      ) : (
        <PasswordConfirmDialog
          open={open}
          title={`Suspend ${name}?`}
          confirmLabel="Suspend"
          pending={pending}
          onCancel={() => setOpen(false)}
          onConfirm={async (password) => {
            const result = await run(
              () => changeOrganizationAction({ id, changes: { subscription: "inactive" }, password }),
              `${name} is suspended.`,
            );
            if (result.ok) setOpen(false);
            return result;
          }}
        >
          <p className="text-sm">
            Every key of {name} is refused with 403 &quot;Insufficient permissions&quot; from its next call, on every
            server, until you restore it. Its owners see this in their audit log.
          </p>
        </PasswordConfirmDialog>
      )}
    </>
  );
}

/** The plan and Enterprise's hourly limit, saved after a confirmation that names the organization. */
export function PlanControl({
  id,
  name,
  plan,
  rateLimit,
  plans,
}: {
  id: number;
  name: string;
  plan: string;
  rateLimit: number | null;
  plans: Array<{ value: string; label: string }>;
}) {
  const { pending, run } = useAction();
  const formId = useId();
  const [pendingChange, setPendingChange] = useState<{ plan: string; rate_limit: number | null } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const planLabel = (value: string) => plans.find((choice) => choice.value === value)?.label ?? value;
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const limitText = String(data.get("rate_limit") ?? "").trim();
        if (limitText && !/^\d{1,10}$/.test(limitText)) {
          setError("The hourly limit must be a whole number, or empty for the plan's default.");
          return;
        }
        setError(null);
        setPendingChange({ plan: String(data.get("plan")), rate_limit: limitText ? Number(limitText) : null });
      }}
    >
      <div>
        <label htmlFor={`${formId}-plan`} className={label}>
          Plan
        </label>
        <select id={`${formId}-plan`} name="plan" defaultValue={plan} key={plan} className={field}>
          {plans.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor={`${formId}-limit`} className={label}>
          Enterprise hourly limit
        </label>
        <input
          id={`${formId}-limit`}
          name="rate_limit"
          inputMode="numeric"
          defaultValue={rateLimit ?? ""}
          key={rateLimit ?? "default"}
          placeholder="plan default"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${formId}-error` : undefined}
          className={`${field} w-36`}
        />
      </div>
      <button type="submit" className={button.secondary} disabled={pending}>
        Change plan
      </button>
      {error && (
        <p id={`${formId}-error`} className={`${fieldError} w-full`}>
          {error}
        </p>
      )}
      <ConfirmDialog
        open={pendingChange !== null}
        title={`Change ${name}'s plan?`}
        confirmLabel="Change plan"
        onCancel={() => setPendingChange(null)}
        onConfirm={async () => {
          if (!pendingChange) return;
          const result = await run(
            () => changeOrganizationAction({ id, changes: pendingChange }),
            `${name} is on ${planLabel(pendingChange.plan)}.`,
          );
          if (result.ok) setPendingChange(null);
        }}
      >
        <p className="text-sm">
          {name} moves to {planLabel(pendingChange?.plan ?? plan)}
          {pendingChange?.rate_limit ? ` with ${pendingChange.rate_limit.toLocaleString("en-US")} calls an hour` : ""}.
          Its keys get the new limits from their next call, on every server.
        </p>
      </ConfirmDialog>
    </form>
  );
}

/** Promote or demote an account (password asked). */
export function RoleControl({ id, email, role }: { id: number; email: string; role: string }) {
  const { pending, run } = useAction();
  const [open, setOpen] = useState(false);
  const next = role === "operator" ? "user" : "operator";
  return (
    <>
      <button
        type="button"
        className={`${button.secondary} px-2 py-1`}
        onClick={() => setOpen(true)}
        disabled={pending}
      >
        {next === "operator" ? "Make operator" : "Make user"}
        <span className="sr-only"> {email}</span>
      </button>
      <PasswordConfirmDialog
        open={open}
        title={next === "operator" ? `Make ${email} an operator?` : `Make ${email} a user?`}
        confirmLabel={next === "operator" ? "Make operator" : "Make user"}
        pending={pending}
        onCancel={() => setOpen(false)}
        onConfirm={async (password) => {
          const result = await run(
            () => changeAccountRoleAction({ id, role: next, password }),
            `${email} is now ${next}.`,
          );
          if (result.ok) setOpen(false);
          return result;
        }}
      >
        <p className="text-sm">
          {next === "operator"
            ? "Operators manage routes, service tokens, every organization and every account."
            : "The account loses the operator console at its next request."}
        </p>
      </PasswordConfirmDialog>
    </>
  );
}

/** End every session and REST login of an account (password asked). */
export function SignOutControl({ id, email }: { id: number; email: string }) {
  const { pending, run } = useAction();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        className="rounded-md px-2 py-1 text-sm font-medium text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950"
        onClick={() => setOpen(true)}
        disabled={pending}
      >
        Sign out<span className="sr-only"> {email} everywhere</span>
      </button>
      <PasswordConfirmDialog
        open={open}
        title={`Sign ${email} out everywhere?`}
        confirmLabel="Sign out everywhere"
        pending={pending}
        onCancel={() => setOpen(false)}
        onConfirm={async (password) => {
          const result = await run(() => signOutAccountAction({ id, password }), `${email} was signed out everywhere.`);
          if (result.ok) setOpen(false);
          return result;
        }}
      >
        <p className="text-sm">
          Every portal session and REST login of {email} ends at its next request. Their API keys keep working.
        </p>
      </PasswordConfirmDialog>
    </>
  );
}
