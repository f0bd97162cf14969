import { onInvalidation } from "../cache/invalidation";
import { db } from "../db/client";

/**
 * A key's environment, which the gateway tells the upstream (X-Key-Environment) and the
 * verification record does not carry: read once per key and kept until a write to the key or
 * its owner drops it (the same invalidations as the key cache).
 */
const CACHE = Symbol.for("keyportal.keyEnvironments");
const registry = globalThis as unknown as { [CACHE]?: Map<number, string> };
const environments = (registry[CACHE] ??= new Map());
const MAX_CACHED = 100_000;
onInvalidation((message) => {
  if (message.kind === "key") environments.delete(message.keyId);
  else if (message.kind === "owner") environments.clear();
});

export function keyEnvironment(ownerId: number, keyId: number): string | Promise<string> {
  return environments.get(keyId) ?? readEnvironment(ownerId, keyId);
}

async function readEnvironment(ownerId: number, keyId: number): Promise<string> {
  const row = await db().apiKey.findFirst({ where: { id: keyId, ownerId }, select: { environment: true } });
  const environment = row?.environment ?? "production";
  if (environments.size >= MAX_CACHED) environments.clear();
  if (row) environments.set(keyId, environment);
  return environment;
}
