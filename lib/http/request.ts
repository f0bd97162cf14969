import type { z } from "zod";
import { badRequest } from "./errors";
import { formatZodError } from "../validation/format-zod-error";

const MAX_BODY_BYTES = 64 * 1024;

/** Reads a JSON body and validates it; every failure is a 400 that says what is wrong. */
export async function readJson<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw badRequest("Request body is too large");
  if (!text.trim()) throw badRequest("Request body must be a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("Request body is not valid JSON");
  }
  return parseInput(schema, value);
}

export function readQuery<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const params = new URL(request.url).searchParams;
  const query: Record<string, string> = {};
  // Empty parameters (?status=) mean "not given", as browsers' forms send them.
  for (const [key, value] of params) if (value !== "") query[key] = value;
  return parseInput(schema, query);
}

export async function parseInput<S extends z.ZodType>(schema: S, value: unknown): Promise<z.output<S>> {
  const result = await schema.safeParseAsync(value);
  if (!result.success) throw badRequest(formatZodError(result.error));
  return result.data;
}

/**
 * The caller's IP. Our server (scripts/server.mjs) overwrites X-Forwarded-For with the socket
 * address, or appends it when TRUST_PROXY is set; then the first entry is the proxy's word for
 * the client. Next alone would pass a client-supplied header through untouched.
 */
export function clientIp(headers: { get(name: string): string | null }, trustProxy: boolean): string {
  const forwarded = headers.get("x-forwarded-for");
  if (forwarded) {
    const hops = forwarded.split(",").map((hop) => hop.trim()).filter(Boolean);
    const ip = trustProxy ? hops[0] : hops[hops.length - 1];
    if (ip) return ip.slice(0, 64);
  }
  return "unknown";
}
