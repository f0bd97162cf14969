// Run by tests/unit/sqlite-worker.test.ts under each loader it checks (tsx, the fast path's esbuild
// bundle): starts a background SqliteThread with its checkpointer on the database in argv[2],
// writes and reads through it, and prints what it saw as one JSON line.
import fs from "node:fs";
import { Prisma } from "../../lib/db/client";
import { SqliteThread } from "../../lib/db/sqlite-thread";

const PAD_BYTES = 200_000;

async function main(file: string): Promise<void> {
  const thread = new SqliteThread(file, {
    busyTimeoutMs: 1_000,
    // The writer never checkpoints itself: the database file grows only by the checkpointer.
    pragmas: ["wal_autocheckpoint = 0"],
    checkpoints: true,
    background: true,
    onDead: () => undefined,
  });
  const before = fs.statSync(file).size;
  await thread.write([Prisma.sql`INSERT INTO t (n, pad) VALUES (${41}, zeroblob(${PAD_BYTES}))`]);
  const rows = await thread.read(Prisma.sql`SELECT n + 1 AS answer FROM t`);
  // The blob's pages in the database file (not its every byte: SQLite stores it in overflow pages).
  const checkpointed = () => fs.statSync(file).size > before + PAD_BYTES / 2;
  const deadline = Date.now() + 5_000;
  while (!checkpointed() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  thread.close();
  console.log(JSON.stringify({ rows, checkpointed: checkpointed() }));
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
