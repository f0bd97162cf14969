import type { Metadata } from "next";
import Link from "next/link";
import { button } from "@/components/ui/styles";

export const metadata: Metadata = { title: "Page not found" };

/** Any unknown page (and a key page of a key that is not the visitor's): the portal's look and a way back. */
export default function NotFound() {
  return (
    <main id="content" className="mx-auto flex min-h-screen max-w-xl flex-col items-start justify-center gap-4 px-4">
      <p className="text-sm font-semibold text-indigo-600 dark:text-indigo-400">Key Portal · 404</p>
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="text-slate-600 dark:text-slate-400">
        There is nothing at this address. The link may be old, or the page may have moved.
      </p>
      <Link href="/keys" className={button.primary}>
        Go to your API keys
      </Link>
    </main>
  );
}
