"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useRef } from "react";
import { signOut } from "next-auth/react";
import { signOutEverywhereAction } from "@/lib/actions/account";
import { OrganizationSwitcher, type OrganizationChoice } from "@/components/orgs/organization-switcher";

// `short`: the label on a phone, where seven items share one row of 375 px.
// `also`: other pages the item is current on (the organization's Webhooks tab, under Members).
const LINKS: Array<{ href: string; label: string; short?: string; also?: string[] }> = [
  { href: "/keys", label: "API Keys", short: "Keys" },
  { href: "/usage", label: "Usage" },
  { href: "/audit", label: "Audit" },
  { href: "/members", label: "Members", short: "Team", also: ["/webhooks"] },
  { href: "/plan", label: "Plan" },
  { href: "/docs", label: "Docs" },
];

/**
 * The account menu is a <details> (it works before hydration and without script); this closes it
 * on Escape (focus back on its button) and on a click or tap anywhere outside it.
 */
function useDismissable() {
  const menu = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const close = (focus: boolean) => {
      const details = menu.current;
      if (!details?.open) return;
      details.open = false;
      if (focus) details.querySelector("summary")?.focus();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") close(menu.current?.contains(document.activeElement) ?? false);
    };
    const onPointer = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node)) close(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, []);
  return menu;
}

/** Operators also run every organization and account, and the routes the keys guard (/admin/…). */
const OPERATOR_LINKS: typeof LINKS = [{ href: "/admin", label: "Console", short: "Ops" }];

export function PortalNav({
  email,
  plan,
  operator = false,
  organizations = [],
  organizationId,
}: {
  email: string;
  plan: string;
  operator?: boolean;
  /** The account's organizations, for the switcher (shown once there are two). */
  organizations?: OrganizationChoice[];
  organizationId?: number;
}) {
  const pathname = usePathname();
  const menu = useDismissable();
  const links = operator ? [...LINKS, ...OPERATOR_LINKS] : LINKS;
  return (
    <nav aria-label="Main" className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-1 gap-y-2 px-2 py-3 sm:px-4">
      {/* On a phone the nav is one row: the brand and the email give way to the links. */}
      <Link href="/keys" className="mr-3 font-semibold max-sm:sr-only">
        Key Portal
      </Link>
      {links.map((link) => {
        const current = [link.href, ...(link.also ?? [])].some(
          (href) => pathname === href || pathname.startsWith(`${href}/`),
        );
        return (
          <Link
            key={link.href}
            href={link.href}
            aria-current={current ? "page" : undefined}
            className={`rounded-md px-1.5 py-1.5 text-sm sm:px-3 ${current ? "bg-slate-100 font-medium dark:bg-slate-800" : "hover:bg-slate-50 dark:hover:bg-slate-900"}`}
          >
            {link.short ? (
              <>
                <span className="max-sm:hidden">{link.label}</span>
                <span className="sm:hidden">{link.short}</span>
              </>
            ) : (
              link.label
            )}
          </Link>
        );
      })}
      <span className="ml-auto" />
      {organizationId !== undefined && <OrganizationSwitcher organizations={organizations} current={organizationId} />}
      <details ref={menu} className="relative">
        <summary className="cursor-pointer list-none rounded-md px-1.5 py-1.5 text-sm hover:bg-slate-50 sm:px-3 dark:hover:bg-slate-900">
          <span className="sr-only">Account: </span>
          <span className="inline-block max-w-[12rem] truncate align-bottom max-sm:sr-only">{email}</span>
          {/* "Me": with Members, seven items share the phone's one row of 375 px. */}
          <span aria-hidden className="sm:hidden">
            Me
          </span>{" "}
          ▾
        </summary>
        <div className="absolute right-0 z-10 mt-1 w-56 rounded-md border border-slate-200 bg-white p-2 text-sm shadow-lg dark:border-slate-700 dark:bg-slate-900">
          <p className="px-2 py-1 text-slate-600 dark:text-slate-400">Plan: {plan}</p>
          <Link
            href="/account"
            className="mt-1 block w-full rounded-md px-2 py-1.5 text-left hover:bg-slate-100 dark:hover:bg-slate-800"
          >
            Account settings
          </Link>
          <button
            type="button"
            onClick={() => signOut({ callbackUrl: "/login" })}
            className="mt-1 w-full rounded-md px-2 py-1.5 text-left hover:bg-slate-100 dark:hover:bg-slate-800"
          >
            Sign out
          </button>
          <button
            type="button"
            onClick={async () => {
              // Ends every other session first; this one is then signed out like any other.
              await signOutEverywhereAction();
              await signOut({ callbackUrl: "/login" });
            }}
            className="mt-1 w-full rounded-md px-2 py-1.5 text-left hover:bg-slate-100 dark:hover:bg-slate-800"
          >
            Sign out everywhere
          </button>
        </div>
      </details>
    </nav>
  );
}
