"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { toast } from "sonner";
import { switchOrganizationAction } from "@/lib/actions/orgs";
import { field } from "@/components/ui/styles";

export interface OrganizationChoice {
  id: number;
  name: string;
  role: string;
  personal: boolean;
}

/**
 * The nav's organization switcher: every page then shows the chosen organization's keys, usage
 * and audit log. A form with a button, not a select that switches as it changes: with the
 * keyboard, arrowing through the options must not switch at each step.
 */
export function OrganizationSwitcher({
  organizations,
  current,
}: {
  organizations: OrganizationChoice[];
  current: number;
}) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  if (organizations.length < 2) return null;
  return (
    <form
      className="flex items-center gap-1"
      onSubmit={async (event) => {
        event.preventDefault();
        const id = Number(new FormData(event.currentTarget).get("organization"));
        if (id === current) return;
        setPending(true);
        const result = await switchOrganizationAction({ id });
        setPending(false);
        if (!result.ok) {
          toast.error(result.message);
          return;
        }
        router.refresh();
      }}
    >
      <label htmlFor="organization-switcher" className="sr-only">
        Organization
      </label>
      <select
        id="organization-switcher"
        name="organization"
        defaultValue={current}
        key={current}
        className={`${field} max-w-[12rem] py-1 text-sm`}
      >
        {organizations.map((organization) => (
          <option key={organization.id} value={organization.id}>
            {organization.personal ? `${organization.name} (personal)` : organization.name} · {organization.role}
          </option>
        ))}
      </select>
      <button
        type="submit"
        disabled={pending}
        className="rounded-md border border-slate-300 px-2 py-1 text-sm hover:bg-slate-50 disabled:opacity-50 dark:border-slate-600 dark:hover:bg-slate-800"
      >
        Switch
      </button>
    </form>
  );
}
