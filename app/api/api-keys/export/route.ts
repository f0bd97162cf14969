import { methodNotAllowed, withBearer } from "@/lib/http/handler";
import { keysToCsv } from "@/lib/keys/export-csv";
import { listAllKeys } from "@/lib/keys/keys";

export const GET = withBearer(async (_request, { userId }) => {
  const csv = keysToCsv(await listAllKeys(userId));
  const day = new Date().toISOString().slice(0, 10);
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="api-keys-${day}.csv"`,
      "Cache-Control": "no-store",
    },
  });
});

const notAllowed = methodNotAllowed("GET");
export { notAllowed as POST, notAllowed as PUT, notAllowed as PATCH, notAllowed as DELETE };
