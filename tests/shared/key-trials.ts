// The "done when" for one protected service: keys made and changed in the portal, the
// service's calls checked by the portal (its gateway, or the verify endpoint behind
// @keyportal/verify). Scope, allow-list, read-only, expiry, rotation grace, the hourly limit and
// revocation each act on the service's very next call. The service answers the reference's
// statuses either way: 401 for a key that is not good, 403, 429. Run by the integration suite
// (SQLite, and PostgreSQL in test:scale) and by test:scale across two instances.
import { expect } from "vitest";

interface TrialKey {
  id: number;
  api_key: string;
  user: string;
}

/** One call of the protected service with `key`: its status. */
type ProtectedCall = (key: TrialKey, method?: "GET" | "POST") => Promise<number>;

/** What the trials do in the portal, as the owner of the keys (a Free account for the limit). */
export interface TrialPortal {
  generate(body: Record<string, unknown>, account?: "owner" | "free"): Promise<TrialKey>;
  rotate(id: number, graceSeconds: 0 | 3600): Promise<TrialKey>;
  setStatus(id: number, status: "active" | "inactive"): Promise<void>;
  remove(id: number): Promise<void>;
}

interface Trials {
  portal: TrialPortal;
  /** The route the service stands for, and another one the owner's plan allows. */
  routeId: number;
  otherRouteId: number;
  protectedCall: ProtectedCall;
  label: string;
}

export async function runKeyTrials({ portal, routeId, otherRouteId, protectedCall, label }: Trials) {
  const make = (name: string, extra: Record<string, unknown> = {}, account: "owner" | "free" = "owner") =>
    portal.generate({ api_key_name: `${label}-${name}`, user: "trial_user", ...extra }, account);
  const results: Record<string, number[]> = {};
  const note = (trial: string, ...statuses: number[]) => (results[trial] = statuses);

  // Scope: a key limited to the route passes, one limited to another route is refused.
  note(
    "scope",
    await protectedCall(await make("scoped-in", { routes: [routeId] })),
    await protectedCall(await make("scoped-out", { routes: [otherRouteId] })),
  );

  // Allow-list: the portal sees the service's calls (or its callers) from 127.0.0.1.
  note(
    "allow-list",
    await protectedCall(await make("allowed", { ip_allowlist: ["127.0.0.1"] })),
    await protectedCall(await make("elsewhere", { ip_allowlist: ["203.0.113.0/24"] })),
  );

  // Read-only: reads pass, writes are refused.
  const reader = await make("reader", { read_only: true });
  note("read-only", await protectedCall(reader, "GET"), await protectedCall(reader, "POST"));

  // Expiry: good until its time, refused at the first call after it (no change is published).
  const expiresAt = Date.now() + 3_000;
  const expiring = await make("expiring", { expires_at: new Date(expiresAt).toISOString() });
  const beforeExpiry = await protectedCall(expiring);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 500));
  note("expiry", beforeExpiry, await protectedCall(expiring));

  // Rotation: with a grace the old key keeps working beside its successor; without, the outgoing
  // key stops at once, and so does any grace still running before it (a chain keeps at most one
  // outgoing key alive: lib/keys/key-commands.ts).
  const graced = await make("graced");
  expect(await protectedCall(graced)).toBe(200);
  const successor = await portal.rotate(graced.id, 3600);
  const inGrace = [await protectedCall(graced), await protectedCall(successor)];
  const newest = await portal.rotate(successor.id, 0);
  note("grace", ...inGrace, await protectedCall(successor), await protectedCall(graced), await protectedCall(newest));

  // The hourly limit: a Free account's 60 calls, then 429.
  const freeKey = await make("free", {}, "free");
  const spent: number[] = [];
  for (let i = 0; i < 60; i++) spent.push(await protectedCall(freeKey));
  expect(spent).toEqual(Array(60).fill(200));
  note("limit", await protectedCall(freeKey));

  // Revocation: deactivated (and back), then deleted.
  const revoked = await make("revoked");
  const beforeRevocation = await protectedCall(revoked);
  await portal.setStatus(revoked.id, "inactive");
  const deactivated = await protectedCall(revoked);
  await portal.setStatus(revoked.id, "active");
  const reactivated = await protectedCall(revoked);
  await portal.remove(revoked.id);
  note("revocation", beforeRevocation, deactivated, reactivated, await protectedCall(revoked));

  console.log(`${label}: ${JSON.stringify(results)}`);
  expect(results).toEqual({
    scope: [200, 403],
    "allow-list": [200, 403],
    "read-only": [200, 403],
    expiry: [200, 401],
    grace: [200, 200, 401, 401, 200],
    limit: [429],
    revocation: [200, 401, 200, 401],
  });
}
