import type { Metadata } from "next";
import Link from "next/link";
import { Pagination } from "@/components/ui/pagination";
import { button, field } from "@/components/ui/styles";
import { DataTable } from "@/components/ui/table";
import { listAuditLogs, toAuditResponse, type AuditLogResponse } from "@/lib/audit/audit-log";
import { AUDIT_ACTION_LABELS, AUDIT_ACTIONS } from "@/lib/audit/audit-actions";
import { requireOrganization } from "@/lib/auth/current-organization";
import { formatDateTime } from "@/lib/format/dates";
import { firstParam, pageParam } from "@/lib/http/request";
import { keyChoices } from "@/lib/keys/key-queries";
import { auditLogQuerySchema } from "@/lib/audit/audit-schemas";
import { memberNames, type MemberName } from "@/lib/orgs/members";

export const metadata: Metadata = { title: "Audit log" };

const PER_PAGE = 25;
const KEY_CHOICES = 200;
const ACTORS: Record<string, string> = {
  portal: "in the portal",
  api: "through the API",
  reporter: "A reporter",
  operator: "The operator",
  "admin-cli": "The operator (CLI)",
  system: "The server",
};

/**
 * Who acted, in words: the member (by email; "You" for the reader; "(removed)" once they are no
 * longer a member) and how, or the non-member actors (a reporter, the operator's CLI, the server).
 */
function actorLabel(entry: AuditLogResponse, readerId: number, names: Map<number, MemberName>): string {
  const how = ACTORS[entry.actor] ?? entry.actor;
  if (entry.actor !== "portal" && entry.actor !== "api") return how;
  const who =
    entry.actor_user_id === null
      ? "The account"
      : entry.actor_user_id === readerId
        ? "You"
        : (names.get(entry.actor_user_id)?.label ?? `account #${entry.actor_user_id}`);
  return `${who}, ${how}`;
}

/** What changed, in words: from the entry's details (names, statuses, limits; never a secret). */
function describe(entry: AuditLogResponse, names: Map<number, MemberName>): string {
  const d = entry.details as Record<string, unknown>;
  const show = (value: unknown) => (value === null || value === undefined ? "none" : JSON.stringify(value));
  const member = (id: unknown) => names.get(Number(id))?.label ?? `account #${String(id)}`;
  switch (entry.action) {
    case "org.invitation_created":
    case "org.invitation_revoked":
      return `${String(d.role)}${d.email ? `, for ${String(d.email)}` : ", anyone with the link"}`;
    case "org.member_joined":
      return `${member(d.user_id)} as ${String(d.role)}`;
    case "org.member_role":
      return `${member(d.user_id)}: ${String(d.before)} → ${String(d.after)}`;
    case "org.member_removed":
    case "org.member_left":
      return `${member(d.user_id)} (${String(d.role)})`;
    case "org.transferred":
      return `to ${member(d.to_user_id)}`;
    case "org.renamed":
    case "account.plan":
    case "account.subscription":
    case "account.rate_limit":
    case "account.role":
      return `${show(d.before)} → ${show(d.after)}`;
    case "key.rename":
      return `${show(d.from)} → ${show(d.to)}`;
    case "key.status":
      return `${String(d.from)} → ${String(d.to)}`;
    case "key.update": {
      const before = (d.before ?? {}) as Record<string, unknown>;
      const after = (d.after ?? {}) as Record<string, unknown>;
      return Object.keys(after)
        .map((field) => `${field}: ${show(before[field])} → ${show(after[field])}`)
        .join("; ");
    }
    case "key.rotate":
      return `new key #${String(d.new_key_id)}; the old one works until ${String(d.old_key_expires_at)}`;
    case "key.export":
      return d.q || d.status
        ? `filtered: ${[d.q && `"${String(d.q)}"`, d.status].filter(Boolean).join(", ")}`
        : "all keys";
    case "key.leak_report":
      return "deactivated (reported_leak)";
    case "key.generate":
      return `user ${String(d.user)}, ${String(d.environment)}`;
    case "key.delete":
      return `user ${String(d.user)}, ${String(d.key_hint)}`;
    case "webhook.disabled":
      return `${String(d.url)}: ${String(d.reason)}`;
    default:
      return "";
  }
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { account, organization: org } = await requireOrganization();
  const raw = await searchParams;
  // A bad filter falls back to none: this is a page, not an API.
  const parsed = auditLogQuerySchema.safeParse({
    page: pageParam(raw.page),
    api_key_id: firstParam(raw.key) || undefined,
    action: firstParam(raw.action) || undefined,
    per_page: PER_PAGE,
  });
  const query = parsed.success ? parsed.data : { page: 1, per_page: PER_PAGE };
  const [{ items, total }, choices] = await Promise.all([
    listAuditLogs(org.id, query),
    keyChoices(org.id, KEY_CHOICES, query.api_key_id),
  ]);
  const entries = items.map((row) => toAuditResponse(row));
  // The members each entry names: who acted, and whom a membership change was about (from the
  // details toAuditResponse has read, which tolerates an unreadable row).
  const named = entries.flatMap((entry) => {
    const details = entry.details as Record<string, unknown>;
    return [entry.actor_user_id, details.user_id, details.to_user_id].filter(
      (id): id is number => typeof id === "number",
    );
  });
  const names = await memberNames(org.id, named);
  const tz = org.timeZone;

  return (
    <section aria-labelledby="audit-heading">
      <h1 id="audit-heading" className="text-2xl font-semibold">
        Audit log
      </h1>
      <p className="mt-1 max-w-prose text-sm text-slate-600 dark:text-slate-400">
        Every change to your keys, every export and sign-in, and every leak report: who, when, from which address and
        what changed. Kept as long as your plan keeps usage logs. Secrets are never recorded.
      </p>

      <form role="search" action="/audit" className="mt-6 flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor="audit-action" className="mb-1 block text-sm font-medium">
            Action
          </label>
          <select id="audit-action" name="action" defaultValue={query.action ?? ""} className={field}>
            <option value="">All actions</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {AUDIT_ACTION_LABELS[action]}
              </option>
            ))}
          </select>
        </div>
        <div className="max-w-full">
          <label htmlFor="audit-key" className="mb-1 block text-sm font-medium">
            Key
          </label>
          <select
            id="audit-key"
            name="key"
            defaultValue={query.api_key_id ? String(query.api_key_id) : ""}
            className={`${field} max-w-full`}
          >
            <option value="">All keys</option>
            {choices.keys.map((key) => (
              <option key={key.id} value={key.id}>
                {key.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={button.secondary}>
          Filter
        </button>
        {(query.action || query.api_key_id) && (
          <Link href="/audit" className="self-center text-sm underline">
            Clear
          </Link>
        )}
      </form>

      {entries.length === 0 ? (
        <p className="mt-8 text-sm">No entries{query.action || query.api_key_id ? " match this filter" : " yet"}.</p>
      ) : (
        <DataTable caption="Audit log entries, newest first" columns={["Time", "Action", "Key", "Who", "What changed"]}>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.id} className="border-b border-slate-100 align-top dark:border-slate-900">
                <td className="py-2 pr-3 whitespace-nowrap">{formatDateTime(entry.created_at, tz)}</td>
                <td className="pr-3 whitespace-nowrap">{AUDIT_ACTION_LABELS[entry.action] ?? entry.action}</td>
                <td className="pr-3 break-all">
                  {entry.api_key_id === null ? (
                    "—"
                  ) : (
                    <Link href={`/audit?key=${entry.api_key_id}`} className="underline-offset-2 hover:underline">
                      {entry.api_key_name ?? `#${entry.api_key_id}`}
                    </Link>
                  )}
                </td>
                <td className="pr-3">
                  {actorLabel(entry, account.id, names)}
                  {entry.ip && <span className="block font-mono text-xs">{entry.ip}</span>}
                </td>
                <td className="text-xs break-words">{describe(entry, names)}</td>
              </tr>
            ))}
          </tbody>
        </DataTable>
      )}
      <Pagination
        page={query.page}
        perPage={PER_PAGE}
        total={total}
        basePath="/audit"
        params={{ action: query.action, key: query.api_key_id ? String(query.api_key_id) : undefined }}
      />
    </section>
  );
}
