import Link from "next/link";

const TABS = [
  { href: "/members", label: "Members" },
  { href: "/webhooks", label: "Webhooks" },
];

/**
 * The organization's own pages, under the main navigation's Members item (a phone has no room
 * for another item there): who is in it, and where its events go.
 */
export function TeamTabs({ current }: { current: "/members" | "/webhooks" }) {
  return (
    <nav aria-label="Team pages" className="mb-4 flex gap-4 border-b border-slate-200 text-sm dark:border-slate-800">
      {TABS.map((tab) => (
        <Link
          key={tab.href}
          href={tab.href}
          aria-current={tab.href === current ? "page" : undefined}
          className={`-mb-px border-b-2 px-1 py-2 ${
            tab.href === current
              ? "border-indigo-600 font-medium text-indigo-700 dark:text-indigo-300"
              : "border-transparent text-slate-700 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
          }`}
        >
          {tab.label}
        </Link>
      ))}
    </nav>
  );
}
