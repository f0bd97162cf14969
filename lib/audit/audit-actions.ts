/** Every action the audit log records (a pure list: the query schema and the page's filter use it). */
export const AUDIT_ACTIONS = [
  "key.generate",
  "key.rename",
  "key.update",
  "key.status",
  "key.rotate",
  "key.delete",
  "key.export",
  "key.leak_report",
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.sign_out",
  "auth.sign_out_everywhere",
  "auth.refresh_reuse",
  "auth.second_factor_failed",
  "auth.recovery_code_used",
  "account.working_hours",
  "account.plan",
  "account.subscription",
  "account.rate_limit",
  "account.role",
  "account.password",
  "account.password_reset",
  "account.two_factor_enabled",
  "account.two_factor_disabled",
  "route.created",
  "route.updated",
  "route.deleted",
  "service_token.created",
  "service_token.deleted",
  "org.created",
  "org.renamed",
  "org.deleted",
  "org.transferred",
  "org.invitation_created",
  "org.invitation_revoked",
  "org.member_joined",
  "org.member_role",
  "org.member_removed",
  "org.member_left",
  "webhook.disabled",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Who acted: the account in the portal or through the REST API, a stranger reporting a leaked
 * key, the operator through `npm run admin` or the operator API (userId: which operator), or the
 * server itself (a refresh token reused).
 */
export type AuditActor = "portal" | "api" | "reporter" | "admin-cli" | "operator" | "system";

/** Where an action came from: stored with it, and passed down the one write path by its callers. */
export interface AuditContext {
  actor: AuditActor;
  ip: string | null;
  /** The member who acted, when an account did (the organization's log names them). */
  userId?: number | null;
}

/** Where a write came from when a caller does not say (tests, scripts): the REST API, no address. */
export const UNSPECIFIED: AuditContext = { actor: "api", ip: null };

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  "key.generate": "Key generated",
  "key.rename": "Key renamed",
  "key.update": "Key access changed",
  "key.status": "Key status changed",
  "key.rotate": "Key rotated",
  "key.delete": "Key deleted",
  "key.export": "Keys exported",
  "key.leak_report": "Leaked key reported",
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_out": "Signed out",
  "auth.sign_out_everywhere": "Signed out everywhere",
  "auth.refresh_reuse": "Refresh token reused: login revoked",
  "account.working_hours": "Working hours changed",
  "account.plan": "Plan changed",
  "account.subscription": "Subscription changed",
  "account.rate_limit": "Hourly limit changed",
  "account.role": "Role changed",
  "account.password": "Password changed",
  "account.password_reset": "Password reset with a link",
  "account.two_factor_enabled": "Two-factor sign-in turned on",
  "account.two_factor_disabled": "Two-factor sign-in turned off",
  "auth.second_factor_failed": "Wrong two-factor code",
  "auth.recovery_code_used": "Recovery code used",
  "route.created": "Route created",
  "route.updated": "Route changed",
  "route.deleted": "Route deleted",
  "service_token.created": "Service token created",
  "service_token.deleted": "Service token revoked",
  "org.created": "Organization created",
  "org.renamed": "Organization renamed",
  "org.deleted": "Organization deleted",
  "org.transferred": "Organization transferred",
  "org.invitation_created": "Member invited",
  "org.invitation_revoked": "Invitation revoked",
  "org.member_joined": "Member joined",
  "org.member_role": "Member role changed",
  "org.member_removed": "Member removed",
  "org.member_left": "Member left",
  "webhook.disabled": "Webhook endpoint disabled",
};
