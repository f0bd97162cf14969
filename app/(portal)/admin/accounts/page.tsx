import type { Metadata } from "next";
import Link from "next/link";
import { RoleControl, SignOutControl } from "@/components/admin/console-controls";
import { ConsoleNav } from "@/components/admin/console-nav";
import { Pagination } from "@/components/ui/pagination";
import { button, field, label, stackedCell } from "@/components/ui/styles";
import { DataTable } from "@/components/ui/table";
import { listAdminAccounts } from "@/lib/admin/admin-accounts";
import { adminAccountsQuerySchema } from "@/lib/admin/admin-schemas";
import { requireOperator } from "@/lib/auth/current-account";
import { formatDateTime } from "@/lib/format/dates";
import { firstParam, pageParam } from "@/lib/http/request";

export const metadata: Metadata = { title: "Accounts" };

const PER_PAGE = 25;

/**
 * Operators only: every account, found by email or username, where it is a member, when it last
 * signed in; promote or demote it, or end all of its sessions (both ask for the password again).
 */
export default async function AdminAccountsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const operator = await requireOperator();
  const raw = await searchParams;
  const parsed = adminAccountsQuerySchema.safeParse({
    q: firstParam(raw.q)?.trim() || undefined,
    page: pageParam(raw.page),
    per_page: PER_PAGE,
  });
  const query = parsed.success ? parsed.data : { page: 1, per_page: PER_PAGE };
  const { items, total } = await listAdminAccounts(query);
  return (
    <section aria-labelledby="accounts-heading">
      <h1 id="accounts-heading" className="text-2xl font-semibold">
        Accounts
      </h1>
      <ConsoleNav current="/admin/accounts" />
      <form
        role="search"
        aria-label="Accounts"
        className="mt-4 flex flex-wrap items-end gap-3"
        action="/admin/accounts"
      >
        <div className="min-w-0 grow basis-56">
          <label htmlFor="account-q" className={label}>
            Email or username
          </label>
          <input id="account-q" name="q" type="search" defaultValue={query.q ?? ""} className={`${field} w-full`} />
        </div>
        <button type="submit" className={button.primary}>
          Search
        </button>
      </form>
      <p className="mt-4 text-sm text-slate-600 dark:text-slate-400" aria-live="polite">
        {total.toLocaleString("en-US")} account{total === 1 ? "" : "s"}
      </p>
      <DataTable
        caption="Accounts"
        columns={["Email", "Role", "Organizations", "Last sign-in", "Created", { label: "Actions", srOnly: true }]}
        className="max-sm:block"
        headClassName="max-sm:sr-only"
      >
        <tbody className="max-sm:block">
          {items.map((account) => (
            <tr
              key={account.id}
              className="border-b border-slate-100 align-top max-sm:block max-sm:py-2 dark:border-slate-900"
            >
              <td data-label="Email" className={`py-2 pr-3 break-all ${stackedCell}`}>
                <span className="font-medium">{account.email}</span>
                <span className="block text-xs text-slate-600 dark:text-slate-400">
                  #{account.id} · {account.username}
                </span>
              </td>
              <td data-label="Role" className={`pr-3 ${stackedCell}`}>
                {account.role}
              </td>
              <td data-label="Organizations" className={`pr-3 ${stackedCell}`}>
                <ul>
                  {account.organizations.map((organization) => (
                    <li key={organization.id}>
                      <Link
                        href={`/admin/organizations/${organization.id}`}
                        className="break-all text-indigo-700 underline underline-offset-2 dark:text-indigo-300"
                      >
                        {organization.name}
                      </Link>{" "}
                      <span className="text-xs text-slate-600 dark:text-slate-400">({organization.role})</span>
                    </li>
                  ))}
                </ul>
              </td>
              <td data-label="Last sign-in" className={`pr-3 ${stackedCell}`}>
                {formatDateTime(account.last_sign_in_at)}
              </td>
              <td data-label="Created" className={`pr-3 ${stackedCell}`}>
                {formatDateTime(account.created_at)}
              </td>
              <td className="py-2 max-sm:flex max-sm:justify-end">
                <div className="flex flex-wrap gap-2">
                  {account.id !== operator.id && (
                    <RoleControl id={account.id} email={account.email} role={account.role} />
                  )}
                  <SignOutControl id={account.id} email={account.email} />
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </DataTable>
      {items.length === 0 && <p className="mt-4 text-sm">No account matches.</p>}
      <Pagination
        page={query.page}
        perPage={PER_PAGE}
        total={total}
        basePath="/admin/accounts"
        params={{ q: query.q }}
      />
    </section>
  );
}
