import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { sessionUserId } from "@/lib/auth/next-auth";
import { listKeys, toKeyResponse } from "@/lib/keys/keys";

export const metadata: Metadata = { title: "API Keys" };

function formatDate(iso: string | null): string {
  return iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 16) + " UTC" : "Never";
}

export default async function KeysPage() {
  const userId = await sessionUserId();
  if (!userId) redirect("/login");
  const { items, total } = await listKeys(userId, { page: 1, per_page: 100 });
  const keys = items.map(toKeyResponse);
  return (
    <section>
      <h1 className="text-2xl font-semibold">API Keys</h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        {total} {total === 1 ? "key" : "keys"}. A key lets a script call the data API with the X-API-Key and
        X-Username headers; its secret is shown once, when it is generated.
      </p>
      {keys.length === 0 ? (
        <p className="mt-8 rounded-md border border-dashed border-slate-300 p-6 text-center dark:border-slate-700">
          No API keys yet.
        </p>
      ) : (
        <table className="mt-6 w-full text-left text-sm">
          <thead className="border-b border-slate-200 dark:border-slate-800">
            <tr>
              <th scope="col" className="py-2">Name</th>
              <th scope="col">Username</th>
              <th scope="col">Key</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id} className="border-b border-slate-100 dark:border-slate-900">
                <td className="py-2">{key.api_key_name}</td>
                <td>{key.user}</td>
                <td className="font-mono">{key.key_hint}</td>
                <td>{key.status}</td>
                <td>{formatDate(key.created_at)}</td>
                <td>{formatDate(key.last_used_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
