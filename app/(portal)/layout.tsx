import Link from "next/link";
import { redirect } from "next/navigation";
import { SignOutButton } from "@/components/sign-out-button";
import { sessionUserId } from "@/lib/auth/next-auth";
import { getUser } from "@/lib/auth/users";

export const dynamic = "force-dynamic";

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const userId = await sessionUserId();
  const user = userId ? await getUser(userId) : null;
  if (!user) redirect("/login");
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 dark:border-slate-800">
        <nav aria-label="Main" className="mx-auto flex max-w-5xl items-center gap-4 px-4 py-3">
          <Link href="/keys" className="font-semibold">Key Portal</Link>
          <Link href="/keys" className="text-sm hover:underline">API Keys</Link>
          <span className="ml-auto text-sm text-slate-600 dark:text-slate-400">{user.email}</span>
          <SignOutButton />
        </nav>
      </header>
      <main className="mx-auto max-w-5xl px-4 py-8">{children}</main>
    </div>
  );
}
