import Link from "next/link";

const PAGES = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/organizations", label: "Organizations" },
  { href: "/admin/accounts", label: "Accounts" },
  { href: "/admin/routes", label: "Routes" },
] as const;

/** The operator console's own tabs, under the page's heading. */
export function ConsoleNav({ current }: { current: (typeof PAGES)[number]["href"] | null }) {
  return (
    <nav
      aria-label="Console"
      className="mt-3 flex flex-wrap gap-1 border-b border-slate-200 pb-2 dark:border-slate-800"
    >
      {PAGES.map((page) => (
        <Link
          key={page.href}
          href={page.href}
          aria-current={page.href === current ? "page" : undefined}
          className={`rounded-md px-3 py-1.5 text-sm ${page.href === current ? "bg-slate-100 font-medium dark:bg-slate-800" : "hover:bg-slate-50 dark:hover:bg-slate-900"}`}
        >
          {page.label}
        </Link>
      ))}
    </nav>
  );
}
