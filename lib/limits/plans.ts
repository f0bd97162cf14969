/** The plans an account can be on (the reference's table). */
export const PLANS = ["free", "professional", "enterprise"] as const;
export type Plan = (typeof PLANS)[number];

/** The reference's "API Key Limits" table, in one place. null = unlimited. */
export const PLAN_LIMITS: Record<
  Plan,
  { label: string; rank: number; maxKeys: number | null; requestsPerHour: number | null; retentionDays: number | null }
> = {
  free: { label: "Free", rank: 0, maxKeys: 2, requestsPerHour: 60, retentionDays: 30 },
  professional: { label: "Professional", rank: 1, maxKeys: 10, requestsPerHour: 5_000, retentionDays: 90 },
  // Enterprise's hourly limit is set per account (default 100,000).
  enterprise: { label: "Enterprise", rank: 2, maxKeys: null, requestsPerHour: null, retentionDays: null },
};

/** Plans whose usage logs expire (Enterprise keeps them forever). */
export const PLANS_WITH_RETENTION = (Object.keys(PLAN_LIMITS) as Plan[]).filter(
  (plan) => PLAN_LIMITS[plan].retentionDays !== null,
);

/** Enterprise accounts without a custom limit get this many requests per hour. */
export const ENTERPRISE_DEFAULT_HOURLY_LIMIT = 100_000;

/** Unauthenticated callers (no valid key + username) share one hourly budget per client IP. */
export const ANONYMOUS_HOURLY_LIMIT = 1_000;

export function isPlan(value: string): value is Plan {
  return Object.hasOwn(PLAN_LIMITS, value);
}

/** Whether an account on `plan` may read something that needs at least `required`. */
export function planAllows(plan: string, required: string): boolean {
  if (!isPlan(plan) || !isPlan(required)) return false;
  return PLAN_LIMITS[plan].rank >= PLAN_LIMITS[required].rank;
}

export function maxKeysFor(plan: string): number | null {
  return isPlan(plan) ? PLAN_LIMITS[plan].maxKeys : 0;
}

export function planLabel(plan: string): string {
  return isPlan(plan) ? PLAN_LIMITS[plan].label : plan;
}

export function keyLimitMessage(plan: string): string {
  return `API key limit reached: the ${planLabel(plan)} plan allows ${maxKeysFor(plan)} keys. Delete a key or upgrade your plan.`;
}

/** The account's hourly request limit across all its keys. */
export function hourlyLimitFor(plan: string, customLimit: number | null): number {
  if (!isPlan(plan)) return 0;
  if (plan === "enterprise") return customLimit ?? ENTERPRISE_DEFAULT_HOURLY_LIMIT;
  return PLAN_LIMITS[plan].requestsPerHour ?? 0;
}

export function retentionDaysFor(plan: string): number | null {
  return isPlan(plan) ? PLAN_LIMITS[plan].retentionDays : PLAN_LIMITS.free.retentionDays;
}
