"use client";

import { useState } from "react";
import {
  changeMemberRoleAction,
  createOrganizationAction,
  leaveOrganizationAction,
  removeMemberAction,
  revokeInvitationAction,
} from "@/lib/actions/orgs";
import { useReauthenticated } from "@/components/auth/reauthentication";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { alertError, button, field, label } from "@/components/ui/styles";
import { useAction } from "@/components/ui/use-action";

/** A member's role, changed with a select and a Save button (so arrowing through roles does not save each). */
export function MemberRole({
  userId,
  email,
  role,
  roles,
}: {
  userId: number;
  email: string;
  role: string;
  /** The roles the reader may give (an admin cannot give owner). */
  roles: string[];
}) {
  const { pending, run } = useAction();
  const sudo = useReauthenticated();
  const id = `role-${userId}`;
  return (
    <form
      className="flex items-center gap-2"
      onSubmit={async (event) => {
        event.preventDefault();
        const next = String(new FormData(event.currentTarget).get("role"));
        if (next === role) return;
        await run(
          () => sudo(() => changeMemberRoleAction({ user_id: userId, role: next })),
          `${email} is now ${next}.`,
        );
      }}
    >
      <label htmlFor={id} className="sr-only">
        Role of {email}
      </label>
      <select id={id} name="role" defaultValue={role} key={role} className={`${field} py-1 text-sm`}>
        {roles.map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </select>
      <button type="submit" disabled={pending} className={`${button.secondary} px-2 py-1`}>
        Save<span className="sr-only"> role of {email}</span>
      </button>
    </form>
  );
}

/** Remove a member, behind a confirmation that says their keys stay. */
export function RemoveMember({ userId, email }: { userId: number; email: string }) {
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
        Remove<span className="sr-only"> {email}</span>
      </button>
      <ConfirmDialog
        open={open}
        title="Remove member?"
        confirmLabel="Remove"
        onCancel={() => setOpen(false)}
        onConfirm={async () => {
          if ((await run(() => removeMemberAction({ user_id: userId }), `${email} was removed.`)).ok) setOpen(false);
        }}
      >
        <p className="text-sm">
          {email} loses access to this organization at their next request. The keys they made keep working: review them
          with the keys list&apos;s &quot;Created by a removed member&quot; filter.
        </p>
      </ConfirmDialog>
    </>
  );
}

export function RevokeInvitation({ id }: { id: number }) {
  const { pending, run } = useAction();
  return (
    <button
      type="button"
      disabled={pending}
      className="rounded-md px-2 py-1 text-sm font-medium text-red-700 hover:bg-red-50 dark:text-red-300 dark:hover:bg-red-950"
      onClick={() => run(() => revokeInvitationAction({ id }), "Invitation revoked: its link no longer works.")}
    >
      Revoke<span className="sr-only"> invitation #{id}</span>
    </button>
  );
}

export function LeaveOrganization({ name }: { name: string }) {
  const { pending, run } = useAction();
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className={button.secondary} disabled={pending} onClick={() => setOpen(true)}>
        Leave organization
      </button>
      <ConfirmDialog
        open={open}
        title={`Leave ${name}?`}
        confirmLabel="Leave"
        onCancel={() => setOpen(false)}
        onConfirm={async () => {
          if ((await run(() => leaveOrganizationAction(), `You left ${name}.`)).ok) setOpen(false);
        }}
      >
        <p className="text-sm">You lose access to its keys, usage and audit log. Its keys keep working.</p>
      </ConfirmDialog>
    </>
  );
}

export function CreateOrganization() {
  const { pending, run } = useAction();
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      className="mt-3 flex flex-wrap items-end gap-2"
      onSubmit={async (event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const name = String(new FormData(form).get("name") ?? "");
        setError(null);
        const { ok } = await run(async () => {
          const result = await createOrganizationAction({ name });
          if (!result.ok) setError(result.message);
          return result;
        }, `Organization "${name}" created: you are its owner.`);
        if (ok) form.reset();
      }}
    >
      <div>
        <label htmlFor="organization-name" className={label}>
          Organization name
        </label>
        <input id="organization-name" name="name" required maxLength={100} className={field} />
      </div>
      <button type="submit" disabled={pending} className={button.secondary}>
        Create organization
      </button>
      {error && (
        <p role="alert" className={`${alertError} basis-full`}>
          {error}
        </p>
      )}
    </form>
  );
}
