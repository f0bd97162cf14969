import type { Metadata } from "next";
import { TeamTabs } from "@/components/orgs/team-tabs";
import { DataTable } from "@/components/ui/table";
import { stackedCell } from "@/components/ui/styles";
import { AddWebhook } from "@/components/webhooks/add-webhook";
import { Redeliver, WebhookControls } from "@/components/webhooks/webhook-controls";
import { requireOrganization } from "@/lib/auth/current-organization";
import { WEBHOOK_EVENT_TYPES } from "@/lib/events/webhook-events";
import { formatDateTime } from "@/lib/format/dates";
import { can } from "@/lib/orgs/permissions";
import { listDeliveries, listWebhooks } from "@/lib/webhooks/webhook-endpoints";

export const metadata: Metadata = { title: "Webhooks" };

const RECENT = 10;

/**
 * The organization's webhook endpoints and their recent deliveries: every member sees them
 * (never a secret); owners and admins add, test, disable, rotate, delete and redeliver, through
 * the same lib calls as /api/webhooks.
 */
export default async function WebhooksPage() {
  const { organization: org } = await requireOrganization();
  const manage = can(org.role, "webhooks.manage");
  const listed = await listWebhooks(org.id);
  const recent = await Promise.all(
    listed.map((endpoint) => listDeliveries(org.id, endpoint.id, { page: 1, per_page: RECENT })),
  );
  // An endpoint deleted between the two reads is left out.
  const endpoints = listed.filter((_, index) => recent[index] !== null);
  const deliveries = recent.filter((page) => page !== null);
  const tz = org.timeZone;

  return (
    <section aria-labelledby="webhooks-heading">
      <TeamTabs current="/webhooks" />
      <h1 id="webhooks-heading" className="text-2xl font-semibold">
        Webhooks
      </h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        Key events of {org.name}, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature) and
        retried for 24 hours. The Docs page describes the body.
      </p>

      {endpoints.length === 0 && <p className="mt-6 text-sm">No endpoints yet.</p>}
      {endpoints.map((endpoint, index) => (
        <article
          key={endpoint.id}
          aria-labelledby={`webhook-${endpoint.id}`}
          className="mt-6 rounded-lg border border-slate-200 p-4 dark:border-slate-800"
        >
          <h2 id={`webhook-${endpoint.id}`} className="font-mono text-sm font-semibold break-all">
            {endpoint.url}
          </h2>
          <p className="mt-1 text-sm">
            <span
              className={
                endpoint.status === "enabled" ? "text-green-800 dark:text-green-300" : "text-red-800 dark:text-red-300"
              }
            >
              {endpoint.status === "enabled" ? "Enabled" : `Disabled: ${endpoint.disabled_reason ?? "by a member"}`}
            </span>
            {endpoint.description && <span> · {endpoint.description}</span>}
          </p>
          <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">Events: {endpoint.events.join(", ")}</p>
          {manage && (
            <div className="mt-3">
              <WebhookControls id={endpoint.id} url={endpoint.url} status={endpoint.status} />
            </div>
          )}
          <DataTable
            caption={`Recent deliveries to ${endpoint.url}`}
            columns={[
              "Event",
              "Status",
              "Response",
              "Duration",
              "Attempts",
              "Created",
              ...(manage ? [{ label: "Actions", srOnly: true as const }] : []),
            ]}
            className="max-sm:block"
          >
            <tbody className="max-sm:block">
              {deliveries[index].data.length === 0 && (
                <tr>
                  <td colSpan={manage ? 7 : 6} className="py-2 text-sm text-slate-600 dark:text-slate-400">
                    No deliveries yet.
                  </td>
                </tr>
              )}
              {deliveries[index].data.map((delivery) => (
                <tr
                  key={delivery.id}
                  className="border-b border-slate-100 align-middle max-sm:block dark:border-slate-900"
                >
                  <td data-label="Event" className={`py-2 pr-3 ${stackedCell}`}>
                    {delivery.event_type}
                  </td>
                  <td data-label="Status" className={`pr-3 ${stackedCell}`}>
                    {delivery.status}
                  </td>
                  <td data-label="Response" className={`pr-3 ${stackedCell}`}>
                    {delivery.response_status ?? delivery.error ?? "—"}
                  </td>
                  <td data-label="Duration" className={`pr-3 ${stackedCell}`}>
                    {delivery.duration_ms === null ? "—" : `${delivery.duration_ms} ms`}
                  </td>
                  <td data-label="Attempts" className={`pr-3 ${stackedCell}`}>
                    {delivery.attempts}
                  </td>
                  <td data-label="Created" className={`pr-3 whitespace-nowrap ${stackedCell}`}>
                    {formatDateTime(delivery.created_at, tz)}
                  </td>
                  {manage && (
                    <td className={`text-right ${stackedCell}`}>
                      <Redeliver id={endpoint.id} deliveryId={delivery.id} />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </DataTable>
        </article>
      ))}

      {manage ? (
        <div className="mt-8 rounded-lg border border-slate-200 p-4 dark:border-slate-800">
          <h2 className="font-semibold">Add an endpoint</h2>
          <AddWebhook eventTypes={WEBHOOK_EVENT_TYPES} />
        </div>
      ) : (
        <p className="mt-8 text-sm text-slate-600 dark:text-slate-400">
          Owners and admins add and manage endpoints; your role is {org.role}.
        </p>
      )}
    </section>
  );
}
