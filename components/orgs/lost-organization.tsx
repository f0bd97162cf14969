"use client";

import { useRouter } from "next/navigation";
import { switchOrganizationAction } from "@/lib/actions/orgs";

/** Shown when the chosen organization is no longer the account's: "OK" forgets the choice. */
export function LostOrganization({ personalId }: { personalId: number }) {
  const router = useRouter();
  return (
    <p
      role="status"
      className="mx-auto mt-4 flex max-w-5xl flex-wrap items-center gap-3 rounded-md bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:bg-amber-950 dark:text-amber-100"
    >
      You are no longer a member of the organization you had chosen: this is your personal organization.
      <button
        type="button"
        className="rounded-md border border-amber-400 px-2 py-0.5 hover:bg-amber-100 dark:hover:bg-amber-900"
        onClick={async () => {
          await switchOrganizationAction({ id: personalId });
          router.refresh();
        }}
      >
        OK
      </button>
    </p>
  );
}
