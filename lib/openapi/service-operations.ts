import { z } from "zod";
import packageJson from "../../package.json";
import type { Health } from "../health/health";
import { documents } from "./common-schemas";
import { json, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** The "Service" tag: what operators and tools call, without authentication. */

const partStatus = z.enum(["ok", "unavailable"]);
const healthSchema = documents<Health>()(
  z
    .object({
      status: z.enum(["ok", "degraded", "unavailable", "draining"]),
      database: partStatus,
      redis: z.enum(["ok", "unavailable", "disabled"]),
      usage_writes: z.enum(["ok", "failing"]),
      usage_rows_waiting: z.int(),
      usage_rows_dropped: z.int(),
    })
    .meta({ id: "Health" }),
);

const liveSchema = z.object({ status: z.literal("ok") }).meta({ id: "Liveness" });

const openApiDocumentSchema = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string() }).catchall(z.unknown()),
    paths: z.record(z.string(), z.unknown()),
  })
  .catchall(z.unknown())
  .meta({ description: "This document." });

const HEALTHY: Health = {
  status: "ok",
  database: "ok",
  redis: "disabled",
  usage_writes: "ok",
  usage_rows_waiting: 0,
  usage_rows_dropped: 0,
};
const DATABASE_DOWN: Health = {
  ...HEALTHY,
  status: "unavailable",
  database: "unavailable",
  usage_writes: "failing",
  usage_rows_waiting: 120,
};

export const serviceOperations: DocumentedOperation[] = [
  operation({
    method: "get",
    path: "/api/health",
    operationId: "getHealth",
    tags: ["Service"],
    summary: "Health check",
    description:
      "For load balancers: no authentication and no secrets. degraded = serving, but usage rows are waiting for the database.",
    security: [],
    responses: {
      200: json(healthSchema, "Serving (ok or degraded).", HEALTHY),
      503: json(healthSchema, "The database or Redis cannot be reached.", DATABASE_DOWN),
      500: unexpected[500],
    },
  }),
  operation({
    method: "get",
    path: "/api/health/live",
    operationId: "getLiveness",
    tags: ["Service"],
    summary: "Liveness",
    description:
      "The process answers; no dependency is checked (an outage of the database or Redis is no reason to restart it).",
    security: [],
    responses: { 200: json(liveSchema, "The process is up.", { status: "ok" }), 500: unexpected[500] },
  }),
  operation({
    method: "get",
    path: "/api/health/ready",
    operationId: "getReadiness",
    tags: ["Service"],
    summary: "Readiness",
    description:
      "For load balancers: 503 when this instance cannot serve (its database is unreachable) or is shutting down (draining: it still serves what arrives for SHUTDOWN_DRAIN_MS). Redis down is degraded (200, Redis named): the documented fallback serves. degraded also means usage rows are waiting for the database.",
    security: [],
    responses: {
      200: json(healthSchema, "Can serve (ok or degraded).", HEALTHY),
      503: json(healthSchema, "The database cannot be reached, or the instance is shutting down.", {
        ...HEALTHY,
        status: "draining",
      }),
      500: unexpected[500],
    },
  }),
  operation({
    method: "get",
    path: "/api/openapi.json",
    operationId: "getOpenApiDocument",
    tags: ["Service"],
    summary: "This OpenAPI document",
    security: [],
    responses: {
      200: json(openApiDocumentSchema, "The OpenAPI 3.1 document.", {
        openapi: "3.1.0",
        info: { title: "Key portal API", version: packageJson.version },
        paths: { "/api/health": { get: { operationId: "getHealth" } } },
      }),
      500: unexpected[500],
    },
  }),
];
