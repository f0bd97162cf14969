// The admin CLI's commands (scripts/admin.ts runs them): parsed with the REST schemas, written
// through the same lib functions as every other change, audited as "admin-cli".
import { z } from "zod";
import { accountIdByEmail, signOutAccount } from "../lib/admin/admin-accounts";
import { getAdminOrganizationDetail } from "../lib/admin/organization-detail";
import { createResetLink } from "../lib/auth/password-reset";
import { listAdminOrganizations, type AdminOrganization } from "../lib/orgs/admin-organizations";
import type { AuditContext } from "../lib/audit/audit-actions";
import { ROLES, setRole } from "../lib/auth/roles";
import { createUser, setPlan, setRateLimit, setSubscription, SUBSCRIPTIONS, type PublicUser } from "../lib/auth/users";
import { ENTERPRISE_DEFAULT_HOURLY_LIMIT, PLANS } from "../lib/limits/plans";
import { changeOrganizationLimits, type OrganizationSettings } from "../lib/orgs/organizations";
import { formatZodError } from "../lib/validation/format-zod-error";
import { backupDatabase, BackupRefused } from "../lib/db/backup";
import { registerSchema } from "../lib/auth/auth-schemas";
import { emailSchema, idSchema } from "../lib/validation/fields";

export const ADMIN_USAGE = `Usage: npm run admin -- <command>

  create-user <email> <password> [username]   create an account (free plan, active)
  set-plan <email|org:ID|--org ID> <${PLANS.join("|")}>
  set-subscription <email|org:ID|--org ID> <${SUBSCRIPTIONS.join("|")}>
  set-rate-limit <email|org:ID|--org ID> <requests-per-hour|default>   Enterprise's custom hourly limit
      (an email names the account's personal organization; org:ID any organization, as
      GET /api/orgs lists them: only the operator changes an organization's plan)
  set-role <email> <${ROLES.join("|")}>   operators manage routes, service tokens, organizations and accounts
  sign-out <email>   end every portal session and REST login of the account
  reset-link <email>   a one-time password reset link (1 hour, single use), printed once
  list-orgs [--q=TEXT]   the newest 50 organizations; TEXT matches a name or a member's email or username
  show-org <ID|email>   one organization (an email: that account's personal one) with members, keys, usage
  backup <file>   an online copy of the SQLite database to a new file, safe while servers run
      (restore: stop the servers, put the copy in place of the database file, remove its
      -wal and -shm files, start; PostgreSQL: pg_dump, see docs/deploy.md)

Environment: DATABASE_URL (default file:./data/portal.db; postgres://… for PostgreSQL)`;

/** A mistyped command or argument: the CLI prints it with the usage and exits with 2. */
export class AdminUsageError extends Error {}

const ADMIN_CLI: AuditContext = { actor: "admin-cli", ip: null };

// Running servers drop their cached key records on the change: through Redis, or else by polling
// the invalidation table (lib/cache/invalidation-log.ts).
const TAKES_EFFECT = "Takes effect on running servers within 1 s.";

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new AdminUsageError(formatZodError(result.error));
  return result.data;
}

/** One argument, named in the message as REST names a field ("limit must be …"). */
const argument = <T>(name: string, schema: z.ZodType<T>, value: unknown): T =>
  parse(z.object({ [name]: schema }), { [name]: value })[name] as T;

/** Digits only, as REST reads an id: Number() would also take "0x10", "1e3" or " 12 ". */
const hourlyLimit = z.union(
  [
    z.literal("default").transform(() => null),
    idSchema.pipe(z.number().max(1_000_000_000, "must be at most 1,000,000,000")),
  ],
  { error: 'must be a whole number of requests per hour or "default"' },
);

function show(user: PublicUser) {
  return `#${user.id} ${user.email} (username ${user.username}, plan ${user.plan}, subscription ${user.subscription})`;
}

function describeOrganization(organization: AdminOrganization): string {
  const limit = organization.rate_limit === null ? "" : `, limit ${organization.rate_limit}/h`;
  const kind = organization.personal ? "personal" : "shared";
  return `#${organization.id} ${organization.name} (${kind}, owner ${organization.owner_email ?? "none"}) plan ${organization.plan}${limit}, subscription ${organization.subscription}, ${organization.member_count} members, ${organization.key_count} keys, ${organization.calls_24h} calls in 24 h`;
}

const ORGANIZATION_TARGET = /^org:(\d{1,10})$/;

/**
 * set-plan, set-subscription and set-rate-limit on `org:<id>`: any organization, shared ones
 * included. Null when the target is an email (the account's personal organization, as before).
 */
async function changeNamedOrganization(
  target: string,
  data: { plan?: string; subscription?: string; rateLimitPerHour?: number | null },
): Promise<string | null> {
  const match = ORGANIZATION_TARGET.exec(target);
  if (!match) return null;
  const organization: OrganizationSettings | null = await changeOrganizationLimits(Number(match[1]), data, ADMIN_CLI);
  if (!organization) throw new Error(`No organization with id ${match[1]}`);
  const limit = organization.rateLimitPerHour ?? `default ${ENTERPRISE_DEFAULT_HOURLY_LIMIT}`;
  return `Updated organization #${organization.id} ${organization.name} (plan ${organization.plan}, subscription ${organization.subscription}, enterprise hourly limit ${limit}). ${TAKES_EFFECT}`;
}

/** Runs one command; returns what to print. */
export async function runAdminCommand(argv: string[]): Promise<string> {
  const [command, ...given] = argv;
  // `--org <id>` is the same target as `org:<id>`.
  const args = given[0] === "--org" && given.length > 1 ? [`org:${given[1]}`, ...given.slice(2)] : given;
  switch (command) {
    case "create-user": {
      if (args.length < 2 || args.length > 3) {
        throw new AdminUsageError("create-user takes <email> <password> [username]");
      }
      const input = parse(registerSchema, { email: args[0], password: args[1], username: args[2] });
      return `Created ${show(await createUser(input))}`;
    }
    case "set-plan": {
      if (args.length !== 2) throw new AdminUsageError("set-plan takes <email|org:ID> <plan>");
      const plan = argument("plan", z.enum(PLANS, { error: `must be one of ${PLANS.join(", ")}` }), args[1]);
      const named = await changeNamedOrganization(args[0], { plan });
      if (named) return named;
      const email = argument("email", emailSchema, args[0]);
      const user = await setPlan(email, plan, ADMIN_CLI);
      if (!user) throw new Error(`No account with email ${email}`);
      return `Updated ${show(user)}. ${TAKES_EFFECT}`;
    }
    case "set-subscription": {
      if (args.length !== 2) throw new AdminUsageError("set-subscription takes <email|org:ID> <active|inactive>");
      const subscription = argument(
        "subscription",
        z.enum(SUBSCRIPTIONS, { error: `must be one of ${SUBSCRIPTIONS.join(", ")}` }),
        args[1],
      );
      const named = await changeNamedOrganization(args[0], { subscription });
      if (named) return named;
      const email = argument("email", emailSchema, args[0]);
      const user = await setSubscription(email, subscription, ADMIN_CLI);
      if (!user) throw new Error(`No account with email ${email}`);
      return `Updated ${show(user)}. ${TAKES_EFFECT}`;
    }
    case "set-rate-limit": {
      if (args.length !== 2) {
        throw new AdminUsageError("set-rate-limit takes <email|org:ID> <requests-per-hour|default>");
      }
      const limit = argument("limit", hourlyLimit, args[1]);
      const named = await changeNamedOrganization(args[0], { rateLimitPerHour: limit });
      if (named) return named;
      const email = argument("email", emailSchema, args[0]);
      const account = await setRateLimit(email, limit, ADMIN_CLI);
      if (!account) throw new Error(`No account with email ${email}`);
      const note = account.plan === "enterprise" ? "" : " (applies once the account is on the enterprise plan)";
      return `Updated ${show(account)}: ${limit ?? `default ${ENTERPRISE_DEFAULT_HOURLY_LIMIT}`} requests/hour${note}. ${TAKES_EFFECT}`;
    }
    case "set-role": {
      if (args.length !== 2) throw new AdminUsageError(`set-role takes <email> <${ROLES.join("|")}>`);
      const { email, role } = parse(
        z.object({ email: emailSchema, role: z.enum(ROLES, { error: `must be one of ${ROLES.join(", ")}` }) }),
        { email: args[0], role: args[1] },
      );
      const account = await setRole(email, role, ADMIN_CLI);
      if (!account) throw new Error(`No account with email ${email}`);
      return `Updated #${account.id} ${account.email}: role ${account.role}. Takes effect at its next request.`;
    }
    case "sign-out": {
      if (args.length !== 1) throw new AdminUsageError("sign-out takes <email>");
      const email = argument("email", emailSchema, args[0]);
      const id = await accountIdByEmail(email);
      if (id === null || !(await signOutAccount(id, ADMIN_CLI))) throw new Error(`No account with email ${email}`);
      return `Signed out #${id} ${email} everywhere: every portal session and REST login ends at its next request.`;
    }
    case "reset-link": {
      if (args.length !== 1) throw new AdminUsageError("reset-link takes <email>");
      const email = argument("email", emailSchema, args[0]);
      const link = await createResetLink(email);
      if (!link) throw new Error(`No account with email ${email}`);
      return [
        `Password reset link for #${link.userId} ${email}, valid until ${link.expiresAt.toISOString()}, single use.`,
        "It is shown only now: give it to the account's owner over a channel you trust.",
        link.url,
      ].join("\n");
    }
    case "list-orgs": {
      const q = args.length === 1 && args[0]!.startsWith("--q=") ? args[0]!.slice("--q=".length) : undefined;
      if (args.length > 1 || (args.length === 1 && q === undefined))
        throw new AdminUsageError("list-orgs takes [--q=TEXT]");
      const { items, total } = await listAdminOrganizations({ q: q || undefined, page: 1, per_page: 50 });
      const lines = items.map(describeOrganization);
      return [
        ...lines,
        `${total} organization${total === 1 ? "" : "s"}${total > items.length ? ` (newest ${items.length} shown)` : ""}`,
      ].join("\n");
    }
    case "show-org": {
      if (args.length !== 1) throw new AdminUsageError("show-org takes <ID|email>");
      const id = /^\d{1,10}$/.test(args[0]!)
        ? argument("id", idSchema, args[0])
        : await accountIdByEmail(argument("email", emailSchema, args[0]));
      const detail = id === null ? null : await getAdminOrganizationDetail(id);
      if (!detail) throw new Error(`No organization for ${args[0]}`);
      const { "24h": day, "7d": week } = detail.usage;
      return [
        describeOrganization(detail),
        `Members: ${detail.members.map((member) => `${member.email} (${member.role})`).join(", ") || "none"}`,
        `Keys: ${detail.keys.map((key) => `#${key.id} ${key.api_key_name} (${key.status})`).join(", ") || "none"}`,
        `Calls: 24 h ${day.calls} (${day.calls - day.ok} refused or failed), 7 d ${week.calls} (${week.calls - week.ok} refused or failed)`,
        "Recent audit:",
        ...detail.audit.slice(0, 10).map((row) => `  ${row.created_at} ${row.action} by ${row.actor}`),
      ].join("\n");
    }
    case "backup": {
      if (args.length !== 1) throw new AdminUsageError("backup takes <file>");
      try {
        const copy = await backupDatabase(args[0]!);
        const size = `${(copy.bytes / 2 ** 20).toFixed(1)} MB`;
        if (copy.integrity !== "ok")
          throw new Error(`The copy at ${copy.target} failed its integrity check: ${copy.integrity}`);
        return `Backed up ${copy.source} to ${copy.target} (${size}) in ${copy.seconds.toFixed(2)} s; integrity_check ok.`;
      } catch (error) {
        if (error instanceof BackupRefused) throw new AdminUsageError(error.message);
        throw error;
      }
    }
    case undefined:
    case "help":
    case "--help":
      return ADMIN_USAGE;
    default:
      throw new AdminUsageError(`Unknown command "${command}"`);
  }
}
