import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import type { AuditActor, AuditContext } from "../audit/audit-actions";
import { getConfig } from "../config/env";
import { clientIp } from "../net/client-ip";
import { ApiError, badRequest } from "./errors";
import { formatZodError } from "../validation/format-zod-error";
import { MAX_PAGE } from "../validation/fields";

const MAX_BODY_BYTES = 64 * 1024;

// 413 Content Too Large: the body's size is the problem, not its content.
const tooLarge = () => new ApiError(413, `Request body is too large (limit ${MAX_BODY_BYTES / 1024} KB)`);

/** The body as text, refusing (without buffering it) anything over MAX_BODY_BYTES. */
export async function readBodyText(request: Request): Promise<string> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * A Node request's body as text, with readBodyText's bound, passed to `done` (with the 413 as
 * its error when too large): for the production server's fast path, which reads the socket's
 * chunks without building a web Request, or a promise, around them.
 */
export function readNodeBodyText(request: IncomingMessage, done: (error: Error | null, text: string) => void): void {
  let settled = false;
  const finish = (error: Error | null, text = "") => {
    if (settled) return;
    settled = true;
    done(error, text);
  };
  if (Number(request.headers["content-length"] ?? 0) > MAX_BODY_BYTES) {
    request.resume(); // drained and dropped, so the connection can carry the answer and the next call
    finish(tooLarge());
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.byteLength;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    else {
      request.off("data", onData).resume();
      finish(tooLarge());
    }
  };
  request
    .on("data", onData)
    .once("end", () =>
      finish(null, chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8")),
    )
    .once("error", (error) => finish(error));
}

/** Reads a JSON body and validates it; every failure is a 400 that says what is wrong. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  return parseJsonText(await readBodyText(request), schema);
}

/** A JSON body already read as text, validated: readJson's rules. */
export function parseJsonText<S extends z.ZodType>(text: string, schema: S): z.output<S> {
  if (!text.trim()) throw badRequest("Request body must be a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("Request body is not valid JSON");
  }
  return validateInput(schema, value);
}

export function readQuery<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const params = new URL(request.url).searchParams;
  const query: Record<string, string> = {};
  // Empty parameters (?status=) mean "not given", as browsers' forms send them.
  for (const [key, value] of params) if (value !== "") query[key] = value;
  return parseInput(schema, query);
}

/** A page's searchParams value as one string: the first when repeated, undefined when empty. */
export function firstParam(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

/**
 * A portal page's ?page=, held to MAX_PAGE: a page past the end shows the last one or an empty
 * list, where the API answers 400. Anything else goes to the schema, which keeps it or falls back.
 */
export function pageParam(value: string | string[] | undefined): string | undefined {
  const page = firstParam(value);
  return page && /^\d+$/.test(page) && Number(page) > MAX_PAGE ? String(MAX_PAGE) : page;
}

export async function parseInput<S extends z.ZodType>(schema: S, value: unknown): Promise<z.output<S>> {
  return validateInput(schema, value);
}

/** The value as the schema reads it, or the 400 that says what is wrong (no schema here refines asynchronously). */
function validateInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(formatZodError(result.error));
  return result.data;
}

/** Who acted, for the audit log, from the client's address as clientIp reads it; `userId`: the account, when one did. */
export function auditContext(
  actor: AuditActor,
  headers: { get(name: string): string | null },
  userId: number | null = null,
): AuditContext {
  return { actor, ip: clientIp(headers, getConfig().trustProxy), userId };
}

/** A REST call's origin for the audit log: the API, from the client's address, by the Bearer's account. */
export const apiAuditContext = (request: Request, userId: number | null = null): AuditContext =>
  auditContext("api", request.headers, userId);
