import { UNSPECIFIED, type AuditContext } from "../audit/audit-actions";
import { db, Prisma } from "../db/client";
import { containsText } from "../db/sql-dialect";
import { DAY_MS, HOUR_MS } from "../format/time";
import { changeOrganizationLimits } from "./organizations";

/**
 * The operator's view across organizations (issue 25, first part): find one by its name or any
 * member's email or username, with what an operator decides on (plan, subscription, limit) and
 * how it is used; and the operator's change of those. Operators only (the handlers check).
 */

export interface AdminOrganizationsQuery {
  q?: string;
  plan?: string;
  subscription?: string;
  page: number;
  per_page: number;
}

/**
 * The start of the rollup hour `ms` before `now`: the console's windows (calls_24h, an
 * organization's 24 h and 7 d) count whole rollup hours from there.
 */
export const hoursSince = (now: number, ms: number) => new Date(Math.floor((now - ms) / HOUR_MS) * HOUR_MS);

export interface AdminOrganization {
  id: number;
  name: string;
  personal: boolean;
  owner_email: string | null;
  plan: string;
  subscription: string;
  rate_limit: number | null;
  key_count: number;
  member_count: number;
  calls_24h: number;
  created_at: string;
}

function filterSql({ q, plan, subscription }: AdminOrganizationsQuery): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`true`];
  if (plan) parts.push(Prisma.sql`o.plan = ${plan}`);
  if (subscription) parts.push(Prisma.sql`o.subscription = ${subscription}`);
  if (q) {
    // The matching accounts first, then their organizations by the memberships' user index: one
    // pass over users, where a correlated EXISTS looked them up once per organization (at 100,000
    // organizations, half the time again; npm run bench:console).
    parts.push(Prisma.sql`(${containsText(["o.name"], q)} OR o.id IN (
      SELECT m.organization_id FROM memberships m
      WHERE m.user_id IN (SELECT u.id FROM users u WHERE ${containsText(["u.email", "u.username"], q)})))`);
  }
  return Prisma.join(parts, " AND ");
}

/** A page of organizations, newest first, and how many match. */
export async function listAdminOrganizations(
  query: AdminOrganizationsQuery,
  now = Date.now(),
): Promise<{ items: AdminOrganization[]; total: number }> {
  const where = filterSql(query);
  const pageSql = Prisma.sql`LIMIT ${query.per_page} OFFSET ${(query.page - 1) * query.per_page}`;
  const count = async () =>
    Number(
      (
        await db().$queryRaw<Array<{ n: number | bigint }>>`SELECT COUNT(*) AS n FROM organizations o WHERE ${where}`
      )[0]!.n,
    );
  let page: Array<{ id: number | bigint; total?: number | bigint }>;
  let total: number;
  if (query.q) {
    // A search reads every organization's name and every account's email and username: the page
    // and the count come from that one pass (a window over the matches, before the LIMIT). A page
    // past the end has no row to carry the count, so it is counted on its own.
    page = await db().$queryRaw`
      SELECT o.id, COUNT(*) OVER () AS total FROM organizations o WHERE ${where} ORDER BY o.id DESC ${pageSql}`;
    total = page.length ? Number(page[0]!.total) : await count();
  } else {
    // Without one, the window would sort every organization for a count the index gives at once.
    [page, total] = await Promise.all([
      db().$queryRaw<Array<{ id: number | bigint }>>`
        SELECT o.id FROM organizations o WHERE ${where} ORDER BY o.id DESC ${pageSql}`,
      count(),
    ]);
  }
  const ids = page.map((row) => Number(row.id));
  return { items: await describeOrganizations(ids, now), total };
}

/** One organization as the list shows it; null when there is none. */
export async function getAdminOrganization(id: number, now = Date.now()): Promise<AdminOrganization | null> {
  const [organization] = await describeOrganizations([id], now);
  return organization ?? null;
}

async function describeOrganizations(ids: number[], now: number): Promise<AdminOrganization[]> {
  if (!ids.length) return [];
  const since = hoursSince(now, DAY_MS);
  const [organizations, owners, keys, members, calls] = await Promise.all([
    db().organization.findMany({
      where: { id: { in: ids } },
      select: {
        id: true,
        name: true,
        personalUserId: true,
        plan: true,
        subscription: true,
        rateLimitPerHour: true,
        createdAt: true,
      },
    }),
    db().membership.findMany({
      where: { organizationId: { in: ids }, role: "owner" },
      select: { organizationId: true, user: { select: { email: true } } },
      orderBy: [{ createdAt: "asc" }, { userId: "asc" }],
    }),
    db().apiKey.groupBy({ by: ["ownerId"], where: { ownerId: { in: ids } }, _count: { _all: true } }),
    db().membership.groupBy({ by: ["organizationId"], where: { organizationId: { in: ids } }, _count: { _all: true } }),
    db().usageHourlyTotal.groupBy({
      by: ["ownerId"],
      where: { ownerId: { in: ids }, hour: { gte: since } },
      _sum: { ok: true, authFailed: true, limited: true, other: true },
    }),
  ]);
  const ownerEmail = new Map<number, string>();
  for (const row of owners) if (!ownerEmail.has(row.organizationId)) ownerEmail.set(row.organizationId, row.user.email);
  const keyCount = new Map(keys.map((row) => [row.ownerId, row._count._all]));
  const memberCount = new Map(members.map((row) => [row.organizationId, row._count._all]));
  const callCount = new Map(
    calls.map((row) => [
      row.ownerId,
      (row._sum.ok ?? 0) + (row._sum.authFailed ?? 0) + (row._sum.limited ?? 0) + (row._sum.other ?? 0),
    ]),
  );
  const byId = new Map(organizations.map((organization) => [organization.id, organization]));
  return ids.flatMap((id) => {
    const organization = byId.get(id);
    if (!organization) return [];
    return [
      {
        id,
        name: organization.name,
        personal: organization.personalUserId !== null,
        owner_email: ownerEmail.get(id) ?? null,
        plan: organization.plan,
        subscription: organization.subscription,
        rate_limit: organization.rateLimitPerHour,
        key_count: keyCount.get(id) ?? 0,
        member_count: memberCount.get(id) ?? 0,
        calls_24h: callCount.get(id) ?? 0,
        created_at: organization.createdAt.toISOString(),
      },
    ];
  });
}

/**
 * The operator's change of an organization's plan, subscription or Enterprise limit: effective at
 * the data API's next call on every instance (changeOrganizationLimits tells the key caches) and
 * audited on the organization, so its owners see that the operator acted. Null: no such organization.
 */
export async function changeAdminOrganization(
  id: number,
  changes: { plan?: string; subscription?: string; rate_limit?: number | null },
  context: AuditContext = UNSPECIFIED,
): Promise<AdminOrganization | null> {
  const data = {
    ...(changes.plan === undefined ? {} : { plan: changes.plan }),
    ...(changes.subscription === undefined ? {} : { subscription: changes.subscription }),
    ...(changes.rate_limit === undefined ? {} : { rateLimitPerHour: changes.rate_limit }),
  };
  if (!(await changeOrganizationLimits(id, data, context))) return null;
  return getAdminOrganization(id);
}
