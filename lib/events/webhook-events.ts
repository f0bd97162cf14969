import crypto from "node:crypto";
import { Prisma } from "../db/client";

/** What an organization's webhook endpoints may subscribe to (issue 29's contract). */
export const WEBHOOK_EVENT_TYPES = [
  "key.created",
  "key.updated",
  "key.rotated",
  "key.status_changed",
  "key.deleted",
  "key.leak_reported",
  "alert.created",
  "usage.limit_reached",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** A domain event: its type and the public fields it carries (never a secret, digest or key hint). */
export interface DomainEvent {
  /** webhook.test: sent to one endpoint on request (the portal's Send test event), never subscribed to. */
  type: WebhookEventType | "webhook.test";
  data: Record<string, unknown>;
}

/** The body every delivery of an event sends. */
interface EventPayload extends DomainEvent {
  timestamp: string;
}

/**
 * The statements that put `event` in the outbox and queue one delivery for each of the
 * organization's enabled endpoints subscribed to its type: run in the transaction of the audit
 * row it goes with (lib/audit/audit-log.ts), so an event and its audit row exist together or not
 * at all, and once written, no crash or restart loses its deliveries. The change itself commits
 * just before (its own statement): a crash between the two loses that change's audit row and
 * event alike. Endpoints made
 * later do not receive it. With `endpointId`: that endpoint only, whatever it subscribes to.
 */
export function outboxStatements(ownerId: number, event: DomainEvent, at: Date, endpointId?: number): Prisma.Sql[] {
  const messageId = `msg_${crypto.randomBytes(16).toString("base64url")}`;
  const payload: EventPayload = { type: event.type, timestamp: at.toISOString(), data: event.data };
  // Endpoints keep their event types as a JSON array of strings: a type in quotes matches one entry.
  const subscribed = `%${JSON.stringify(event.type)}%`;
  return [
    Prisma.sql`INSERT INTO webhook_events (owner_id, message_id, type, payload, created_at)
      VALUES (${ownerId}, ${messageId}, ${event.type}, ${JSON.stringify(payload)}, ${at})`,
    Prisma.sql`INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, next_attempt_at, created_at)
      SELECT w.id, e.id, 'pending', 0, ${at}, ${at}
      FROM webhook_endpoints w JOIN webhook_events e ON e.message_id = ${messageId}
      WHERE w.owner_id = ${ownerId} AND ${
        endpointId === undefined
          ? Prisma.sql`w.status = 'enabled' AND w.events LIKE ${subscribed}`
          : Prisma.sql`w.id = ${endpointId}`
      }`,
  ];
}
