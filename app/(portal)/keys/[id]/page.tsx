import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeleteKey } from "@/components/keys/delete-key";
import { KeyAccessForm } from "@/components/keys/key-access-form";
import { isExpired, KeyBadges } from "@/components/keys/key-badges";
import { KeyStatus } from "@/components/keys/key-status-switch";
import { LeakReportHistory, leakNote } from "@/components/keys/leak-reports";
import { RenameKey } from "@/components/keys/rename-key";
import { RotateKey } from "@/components/keys/rotate-key";
import { routesForPlan } from "@/lib/data-routes/data-routes";
import { leakReportsForKeys } from "@/lib/audit/audit-log";
import { ROTATION_DAYS } from "@/lib/keys/key-controls";
import { DataTable } from "@/components/ui/table";
import { RelativeTime } from "@/components/ui/time";
import { UsageChart } from "@/components/usage/usage-chart";
import { requireOrganization } from "@/lib/auth/current-organization";
import { formatDateTime, lastUse } from "@/lib/format/dates";
import { getKey } from "@/lib/keys/key-queries";
import { toKeyResponse } from "@/lib/keys/key-response";
import { usageChart } from "@/lib/usage/summary";
import { listUsageLogs } from "@/lib/usage/usage-logs";
import { keyIdParamsSchema } from "@/lib/keys/key-schemas";
import { memberNames } from "@/lib/orgs/members";
import { can } from "@/lib/orgs/permissions";

export const metadata: Metadata = { title: "API key" };

/** One key: its details, its actions, its week of calls and its latest calls. */
export default async function KeyPage({ params }: { params: Promise<{ id: string }> }) {
  const { organization: org } = await requireOrganization();
  const parsed = keyIdParamsSchema.safeParse(await params);
  // Another account's key is as absent as one that never existed.
  const record = parsed.success ? await getKey(org.id, parsed.data.id) : null;
  if (!record) notFound();
  const key = toKeyResponse(record);
  const now = new Date();
  const [chart, recent, routes, leakReports, names] = await Promise.all([
    usageChart(org.id, { hours: 7 * 24, keyId: key.id }, now),
    listUsageLogs(org.id, { page: 1, per_page: 10, api_key_id: key.id }),
    routesForPlan(org.plan),
    leakReportsForKeys(org.id, [key.id]),
    memberNames(org.id, [key.created_by]),
  ]);
  const tz = org.timeZone;
  // What the role allows (lib/orgs/permissions.ts): a viewer sees the key, not its controls.
  const canWrite = can(org.role, "keys.write");
  const memberName = (id: number | null) => (id === null ? "—" : (names.get(id)?.label ?? "—"));

  return (
    <section aria-labelledby="key-heading">
      <p className="text-sm">
        <Link href="/keys" className="underline">
          API Keys
        </Link>{" "}
        / <span className="break-all">{key.api_key_name}</span>
      </p>
      <h1 id="key-heading" tabIndex={-1} className="mt-2 text-2xl font-semibold break-all focus:outline-none">
        {key.api_key_name}
      </h1>
      <KeyBadges keyData={key} timeZone={org.timeZone} now={now} />
      {key.status_reason === "reported_leak" && (
        <p className="mt-3 max-w-prose rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100">
          Someone reported this key as leaked, and it was deactivated. Rotate it, then find where it was exposed.
        </p>
      )}
      <LeakReportHistory keyId={key.id} reports={leakReports} timeZone={tz} />

      <div className="mt-6 grid gap-6 md:grid-cols-2">
        {canWrite ? (
          <RenameKey id={key.id} name={key.api_key_name} />
        ) : (
          <h2 className="text-lg font-semibold break-words">{key.api_key_name}</h2>
        )}
        <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
          <dt className="text-slate-600 dark:text-slate-400">Username</dt>
          <dd className="break-all">{key.user}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Key</dt>
          <dd className="font-mono text-xs leading-5">{key.key_hint}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Status</dt>
          <dd>
            <KeyStatus
              editable={canWrite}
              id={key.id}
              name={key.api_key_name}
              status={key.status}
              environment={key.environment}
              leak={leakNote(key, leakReports, tz)}
            />
          </dd>
          <dt className="text-slate-600 dark:text-slate-400">Created by</dt>
          <dd>{memberName(key.created_by)}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Created</dt>
          <dd>{formatDateTime(key.created_at, tz)}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Last used</dt>
          <dd>
            <RelativeTime value={key.last_used_at} timeZone={tz} now={now} />
          </dd>
          <dt className="text-slate-600 dark:text-slate-400">Expires</dt>
          <dd>
            {key.expires_at ? (
              <>
                {isExpired(key, now) ? "Expired " : ""}
                <RelativeTime value={key.expires_at} timeZone={tz} now={now} />
              </>
            ) : (
              "Never"
            )}
          </dd>
          <dt className="text-slate-600 dark:text-slate-400">Rotation</dt>
          <dd>
            {key.rotated_at ? (
              <>Replaced by a rotation {formatDateTime(key.rotated_at, tz)}</>
            ) : (
              <span className="flex flex-wrap items-center gap-2">
                {key.rotation_due
                  ? `Due: ${key.environment} keys are rotated every ${ROTATION_DAYS[key.environment]} days`
                  : `Every ${ROTATION_DAYS[key.environment]} days (${key.environment})`}
                {canWrite && <RotateKey id={key.id} name={key.api_key_name} due={key.rotation_due} />}
              </span>
            )}
          </dd>
          {key.rotated_from_id && (
            <>
              <dt className="text-slate-600 dark:text-slate-400">Replaces</dt>
              <dd>
                <Link href={`/keys/${key.rotated_from_id}`} className="underline">
                  Key #{key.rotated_from_id}
                </Link>
              </dd>
            </>
          )}
        </dl>
      </div>

      {canWrite && (
        <div className="mt-8 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
          <KeyAccessForm
            id={key.id}
            routes={routes}
            access={{
              environment: key.environment,
              routes: key.routes,
              read_only: key.read_only,
              ip_allowlist: key.ip_allowlist,
            }}
          />
        </div>
      )}

      <div className="mt-8 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
        <h2 className="font-semibold">Calls per hour, last 7 days</h2>
        <UsageChart buckets={chart.buckets} bucketMs={chart.bucketMs} label="last 7 days" timeZone={org.timeZone} />
      </div>

      <h2 className="mt-8 font-semibold">Latest calls</h2>
      {recent.items.length === 0 ? (
        <p className="mt-2 text-sm">This key has not been used yet.</p>
      ) : (
        <div>
          <DataTable caption="Latest calls with this key" columns={["Time", "Status", "Request", "IP"]}>
            <tbody>
              {recent.items.map((log) => (
                <tr key={log.id} className="border-b border-slate-100 dark:border-slate-900">
                  <td className="py-2 pr-3 whitespace-nowrap">{formatDateTime(log.created_at, tz)}</td>
                  <td className="pr-3">{log.status_code}</td>
                  <td className="pr-3 font-mono text-xs break-all">
                    {log.method} {log.path}
                  </td>
                  <td className="font-mono text-xs">{log.ip}</td>
                </tr>
              ))}
            </tbody>
          </DataTable>
          {recent.total > recent.items.length && (
            <p className="mt-2 text-sm">
              <Link href={`/usage?key=${key.id}`} className="underline">
                All {recent.total} calls with this key
              </Link>
            </p>
          )}
        </div>
      )}

      {can(org.role, "keys.delete") && (
        <div className="mt-8 border-t border-slate-200 pt-6 dark:border-slate-800">
          <h2 className="font-semibold">Delete this key</h2>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            Applications using it lose access at once. This cannot be undone.
          </p>
          <div className="mt-3">
            <DeleteKey
              id={key.id}
              name={key.api_key_name}
              hint={key.key_hint}
              {...lastUse(key.last_used_at, tz, now)}
              afterDelete="/keys"
            />
          </div>
        </div>
      )}
    </section>
  );
}
