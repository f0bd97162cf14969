import { field, fieldError, help, label } from "@/components/ui/styles";

/** A route a key can be limited to (those the account's plan may read). */
export interface RouteChoice {
  id: number;
  name: string;
}

export interface KeyLimits {
  routes: number[] | null;
  read_only: boolean;
  ip_allowlist: string[] | null;
}

/** The fields as generation and PATCH take them: no route checked, or no address, means no limit (null). */
export function readKeyLimits(form: FormData): KeyLimits {
  const routes = form.getAll("routes").map(Number);
  const ips = String(form.get("ip_allowlist") ?? "")
    .split(/[\s,]+/)
    .filter(Boolean);
  return {
    routes: routes.length ? routes : null,
    read_only: form.get("read_only") === "on",
    ip_allowlist: ips.length ? ips : null,
  };
}

/**
 * What a key may do: routes, read-only, IP allow-list. The generate dialog and the key page's
 * access form show the same fields, ids prefixed by `idPrefix` (both can be on one page).
 */
export function KeyLimitsFields({
  idPrefix,
  routes,
  initial = { routes: null, read_only: false, ip_allowlist: null },
  errors,
}: {
  idPrefix: string;
  routes: RouteChoice[];
  initial?: KeyLimits;
  errors: Record<string, string>;
}) {
  // A route the plan no longer allows stays listed while the key is limited to it, so saving keeps it.
  const choices = [
    ...routes,
    ...(initial.routes ?? []).filter((r) => !routes.some((c) => c.id === r)).map((r) => ({ id: r, name: "" })),
  ];
  const id = (name: string) => `${idPrefix}${name}`;
  return (
    <>
      <fieldset aria-describedby={id("routes-help")}>
        <legend className="text-sm font-medium">Routes</legend>
        <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
          {choices.map((route) => (
            <label key={route.id} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                name="routes"
                value={route.id}
                defaultChecked={initial.routes?.includes(route.id) ?? false}
                className="h-4 w-4"
              />
              {route.name ? `${route.id} · ${route.name}` : route.id}
            </label>
          ))}
        </div>
        <p id={id("routes-help")} className={help}>
          None checked: every route your plan allows.
        </p>
        {errors.routes && <p className={fieldError}>Routes {errors.routes}</p>}
      </fieldset>
      <label className="mt-3 flex items-center gap-2 text-sm">
        <input type="checkbox" name="read_only" defaultChecked={initial.read_only} className="h-4 w-4" />
        Read-only (refuse write methods)
      </label>
      <div className="mt-3">
        <label htmlFor={id("ip_allowlist")} className={label}>
          Allowed IP addresses
        </label>
        <textarea
          id={id("ip_allowlist")}
          name="ip_allowlist"
          rows={3}
          spellCheck={false}
          placeholder={"203.0.113.7\n10.0.0.0/8"}
          defaultValue={(initial.ip_allowlist ?? []).join("\n")}
          aria-invalid={Boolean(errors.ip_allowlist)}
          aria-describedby={`${id("ip-help")} ${id("ip-error")}`}
          className={`${field} w-full max-w-md font-mono text-sm`}
        />
        <p id={id("ip-help")} className={help}>
          One address or CIDR range per line, IPv4 or IPv6, up to 50. Empty: any address.
        </p>
        {errors.ip_allowlist && (
          <p id={id("ip-error")} className={fieldError}>
            Allowed IP addresses: {errors.ip_allowlist}
          </p>
        )}
      </div>
    </>
  );
}
