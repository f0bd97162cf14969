import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { DeleteKey } from "@/components/keys/delete-key";
import { GenerateKey } from "@/components/keys/generate-key";
import { KeyBadges } from "@/components/keys/key-badges";
import { KeyStatus } from "@/components/keys/key-status-switch";
import { leakNote } from "@/components/keys/leak-reports";
import { RotateKey } from "@/components/keys/rotate-key";
import { Pagination } from "@/components/ui/pagination";
import { DataTable } from "@/components/ui/table";
import { button, field, stackedCell } from "@/components/ui/styles";
import { leakReportsForKeys } from "@/lib/audit/audit-log";
import { requireOrganization } from "@/lib/auth/current-organization";
import { RelativeTime } from "@/components/ui/time";
import { formatDateTime, lastUse } from "@/lib/format/dates";
import { firstParam, pageParam } from "@/lib/http/request";
import { routesForPlan } from "@/lib/data-routes/data-routes";
import { countKeys } from "@/lib/keys/key-limit";
import { listKeys } from "@/lib/keys/key-queries";
import { toKeyResponse } from "@/lib/keys/key-response";
import { maxKeysFor, planLabel } from "@/lib/limits/plans";
import { listKeysQuerySchema } from "@/lib/keys/key-schemas";
import { memberNames } from "@/lib/orgs/members";
import { can } from "@/lib/orgs/permissions";

export const metadata: Metadata = { title: "API Keys" };

const PER_PAGE = 10;

export default async function KeysPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { organization: org } = await requireOrganization();
  const raw = await searchParams;
  // Bad query values fall back to defaults instead of erroring: this is a page, not an API.
  const parsed = listKeysQuerySchema.safeParse({
    page: pageParam(raw.page),
    q: firstParam(raw.q),
    status: firstParam(raw.status),
    created_by: firstParam(raw.created_by),
    per_page: PER_PAGE,
  });
  const query = parsed.success ? parsed.data : { page: 1, per_page: PER_PAGE };
  const [{ items, total }, used, routes] = await Promise.all([
    listKeys(org.id, query),
    countKeys(org.id),
    routesForPlan(org.plan),
  ]);
  const keys = items.map((key) => toKeyResponse(key));
  const names = await memberNames(
    org.id,
    keys.map((key) => key.created_by),
  );
  // What the role allows (lib/orgs/permissions.ts): a viewer sees the keys, not their controls.
  const canWrite = can(org.role, "keys.write");
  const canDelete = can(org.role, "keys.delete");
  // The switch names the report before reactivating a key a leak report deactivated.
  const leakReports = await leakReportsForKeys(
    org.id,
    keys.filter((key) => key.status_reason === "reported_leak").map((key) => key.id),
  );
  const limit = maxKeysFor(org.plan);
  const atLimit = limit !== null && used >= limit;
  const filtered = Boolean(query.q || query.status || query.created_by);
  const now = new Date();
  const filterParams = new URLSearchParams(
    Object.entries({ q: query.q, status: query.status, created_by: query.created_by?.toString() }).filter(
      (entry): entry is [string, string] => Boolean(entry[1]),
    ),
  );
  // A page past the end (a bookmark, a key deleted meanwhile) shows the last page, not "no keys".
  const lastPage = Math.max(1, Math.ceil(total / PER_PAGE));
  if (query.page > lastPage) {
    filterParams.set("page", String(lastPage));
    redirect(`/keys?${filterParams}`);
  }

  return (
    <section aria-labelledby="keys-heading">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          {/* tabIndex: where focus goes after a row leaves the list (components/keys/delete-key.tsx). */}
          <h1 id="keys-heading" tabIndex={-1} className="text-2xl font-semibold focus:outline-none">
            API Keys
          </h1>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            {limit === null
              ? `${used} keys on ${planLabel(org.plan)} (no limit)`
              : `${used} of ${limit} keys on ${planLabel(org.plan)}`}
          </p>
        </div>
        <div className="flex flex-col items-end gap-1">
          {/* Wraps: the at-limit reason (GenerateKey) takes a line of its own below the buttons. */}
          <div className="flex flex-wrap justify-end gap-2">
            {used > 0 && (
              // The file holds what the list shows: with a search or status filter, only the matches.
              <a
                href={filtered ? `/keys/export?${filterParams}` : "/keys/export"}
                className={button.secondary}
                download
              >
                {filtered ? "Export matching keys (CSV)" : "Export CSV"}
              </a>
            )}
            {canWrite && (
              <GenerateKey
                routes={routes}
                disabled={atLimit}
                disabledReason={
                  atLimit
                    ? `Your ${planLabel(org.plan)} plan allows ${limit} keys. Delete one to generate another.`
                    : undefined
                }
              />
            )}
          </div>
        </div>
      </div>

      {used > 0 && (
        <form role="search" className="mt-6 flex flex-wrap gap-2" action="/keys">
          <label htmlFor="key-search" className="sr-only">
            Search keys by name or username
          </label>
          <input
            id="key-search"
            name="q"
            defaultValue={query.q ?? ""}
            placeholder="Search by name or username"
            className={`${field} w-full max-w-xs`}
          />
          <label htmlFor="key-status" className="sr-only">
            Status
          </label>
          <select id="key-status" name="status" defaultValue={query.status ?? ""} className={field}>
            <option value="">All statuses</option>
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
          </select>
          {!org.personal && (
            <>
              <label htmlFor="key-created-by" className="sr-only">
                Created by
              </label>
              <select
                id="key-created-by"
                name="created_by"
                defaultValue={query.created_by?.toString() ?? ""}
                className={field}
              >
                <option value="">Anyone</option>
                <option value="removed">Created by a removed member</option>
              </select>
            </>
          )}
          <button type="submit" className={button.secondary}>
            Search
          </button>
          {filtered && (
            <Link href="/keys" className="self-center text-sm underline">
              Clear
            </Link>
          )}
        </form>
      )}

      {used === 0 ? (
        <div className="mt-8 rounded-lg border border-dashed border-slate-300 p-8 text-center dark:border-slate-700">
          <h2 className="text-lg font-semibold">No API keys yet</h2>
          <p className="mx-auto mt-2 max-w-prose text-sm text-slate-600 dark:text-slate-400">
            An API key lets a server, a scheduled job or an integration call the data API without signing in: it sends
            the key in <code className="font-mono">X-API-Key</code> and its username in{" "}
            <code className="font-mono">X-Username</code>. Use a separate key per application and environment.
          </p>
          <p className="mt-4 text-sm">Generate your first key with the button above.</p>
        </div>
      ) : keys.length === 0 ? (
        <p className="mt-8 text-sm">No keys match this search.</p>
      ) : (
        // Under 640 px each row stacks as a card (stackedCell): Status and Delete stay on screen.
        <DataTable
          caption="Your API keys"
          columns={[
            "Name",
            "Username",
            "Key",
            "Status",
            "Created",
            ...(org.personal ? [] : ["Created by"]),
            "Last used",
            { label: "Actions", srOnly: true },
          ]}
          className="max-sm:block sm:min-w-[44rem]"
          frameClassName="sm:overflow-x-auto"
          headClassName="max-sm:sr-only"
        >
          <tbody className="max-sm:block">
            {keys.map((key) => (
              <tr
                key={key.id}
                className="border-b border-slate-100 align-middle max-sm:block max-sm:py-3 dark:border-slate-900"
              >
                <td className="py-2 pr-3 font-medium break-words max-sm:block max-sm:text-base max-sm:break-all sm:max-w-[14rem]">
                  <Link href={`/keys/${key.id}`} className="underline-offset-2 hover:underline">
                    {key.api_key_name}
                  </Link>
                  <KeyBadges keyData={key} timeZone={org.timeZone} now={now} />
                </td>
                <td data-label="Username" className={`pr-3 break-all ${stackedCell}`}>
                  {key.user}
                </td>
                <td data-label="Key" className={`pr-3 font-mono text-xs ${stackedCell}`}>
                  {key.key_hint}
                </td>
                <td data-label="Status" className={`pr-3 ${stackedCell}`}>
                  <KeyStatus
                    editable={canWrite}
                    id={key.id}
                    name={key.api_key_name}
                    status={key.status}
                    environment={key.environment}
                    leak={leakNote(key, leakReports, org.timeZone)}
                  />
                </td>
                <td data-label="Created" className={`pr-3 whitespace-nowrap ${stackedCell}`}>
                  {formatDateTime(key.created_at, org.timeZone)}
                </td>
                {!org.personal && (
                  <td data-label="Created by" className={`pr-3 break-all ${stackedCell}`}>
                    {key.created_by === null ? "—" : (names.get(key.created_by)?.label ?? "—")}
                  </td>
                )}
                <td data-label="Last used" className={`pr-3 whitespace-nowrap ${stackedCell}`}>
                  <RelativeTime value={key.last_used_at} timeZone={org.timeZone} now={now} />
                </td>
                <td className="text-right max-sm:mt-1 max-sm:block">
                  <span className="inline-flex flex-wrap justify-end gap-2">
                    {/* A key rotated out already has its replacement; rotating it again is refused. */}
                    {canWrite && !key.rotated_at && (
                      <RotateKey id={key.id} name={key.api_key_name} due={key.rotation_due} />
                    )}
                    {canDelete && (
                      <DeleteKey
                        id={key.id}
                        name={key.api_key_name}
                        hint={key.key_hint}
                        {...lastUse(key.last_used_at, org.timeZone, now)}
                      />
                    )}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      <Pagination
        page={query.page}
        perPage={PER_PAGE}
        total={total}
        basePath="/keys"
        params={{ q: query.q, status: query.status, created_by: query.created_by?.toString() }}
      />
    </section>
  );
}
