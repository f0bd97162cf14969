import type { Plan } from "../auth/users";

/** The reference's "API Key Limits" table, in one place. null = unlimited. */
export const PLAN_LIMITS: Record<Plan, { label: string; rank: number; maxKeys: number | null; requestsPerHour: number | null; retentionDays: number | null }> = {
  free: { label: "Free", rank: 0, maxKeys: 2, requestsPerHour: 60, retentionDays: 30 },
  professional: { label: "Professional", rank: 1, maxKeys: 10, requestsPerHour: 5_000, retentionDays: 90 },
  // Enterprise's hourly limit is set per account (default 100,000).
  enterprise: { label: "Enterprise", rank: 2, maxKeys: null, requestsPerHour: null, retentionDays: null },
};

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
