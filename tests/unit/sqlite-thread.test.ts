import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Prisma } from "@/lib/db/client";
import { BACKGROUND_NICE, SqliteThread } from "@/lib/db/sqlite-thread";

// The SQLite thread is sent each SQL text once, then only its number: what it runs must be
// exactly what it was sent, however many texts there are and however they interleave.
describe("the SQLite thread's statements", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-thread-"));
  const file = path.join(dir, "thread.db");
  let thread: SqliteThread;
  // What crossed to the thread: the postMessage payloads.
  let sent: unknown[] = [];

  beforeAll(() => {
    const setup = new Database(file);
    setup.pragma("journal_mode = WAL");
    setup.exec("CREATE TABLE t (n INTEGER NOT NULL, label TEXT)");
    setup.close();
    thread = new SqliteThread(file, { busyTimeoutMs: 1_000, pragmas: [], onDead: () => undefined });
    const worker = (thread as unknown as { worker: { postMessage(message: unknown): void } }).worker;
    const post = worker.postMessage.bind(worker);
    vi.spyOn(worker, "postMessage").mockImplementation((message: unknown) => {
      sent.push(message);
      post(message);
    });
  });
  afterAll(() => {
    thread.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("sends a text once, then its number, and runs each statement as written", async () => {
    const insert = (n: number) => Prisma.sql`INSERT INTO t (n, label) VALUES (${n}, ${"row " + n})`;
    sent = [];
    await thread.write([insert(1), insert(2)]);
    await thread.write([insert(3)]);
    const texts = JSON.stringify(sent).match(/INSERT INTO t/g) ?? [];
    expect(texts).toHaveLength(1);
    expect(await thread.read(Prisma.sql`SELECT n, label FROM t ORDER BY n`)).toEqual([
      { n: 1, label: "row 1" },
      { n: 2, label: "row 2" },
      { n: 3, label: "row 3" },
    ]);
  });

  it("keeps answering right past the number of texts it keeps, with texts interleaved", async () => {
    // 300 distinct reads (more than the thread numbers), each run twice, the two runs apart.
    const reads = Array.from({ length: 300 }, (_, i) => Prisma.raw(`SELECT ${i} AS v, count(*) AS c FROM t`));
    const first = await Promise.all(reads.map((sql) => thread.read(sql)));
    const second = await Promise.all([...reads].reverse().map((sql) => thread.read(sql)));
    expect(first.map((rows) => (rows as { v: number }[])[0].v)).toEqual(reads.map((_, i) => i));
    expect(second.map((rows) => (rows as { v: number }[])[0].v)).toEqual(reads.map((_, i) => 299 - i));
  });

  it("forgets a text whose message could not be sent, and sends it whole next time", async () => {
    // A value postMessage cannot copy: the message never reaches the thread.
    await expect(thread.read(Prisma.sql`SELECT ${Symbol("not copyable")} AS v`)).rejects.toThrow();
    expect(await thread.read(Prisma.sql`SELECT ${7} AS v`)).toEqual([{ v: 7 }]);
    expect(thread.waitingCount).toBe(0);
  });

  it("fails a statement that does not prepare every time, and runs the others", async () => {
    const bad = Prisma.sql`SELECT nope FROM t`;
    await expect(thread.read(bad)).rejects.toThrow(/nope/);
    await expect(thread.read(bad)).rejects.toThrow(/nope/);
    expect(await thread.read(Prisma.sql`SELECT count(*) AS c FROM t`)).toEqual([{ c: 3 }]);
  });
});

describe("the SQLite thread after a transaction that never began", () => {
  it("still knows the texts that came with it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-thread-"));
    const file = path.join(dir, "locked.db");
    const setup = new Database(file);
    setup.pragma("journal_mode = WAL");
    setup.exec("CREATE TABLE t (n INTEGER NOT NULL)");
    const thread = new SqliteThread(file, { busyTimeoutMs: 50, pragmas: [], onDead: () => undefined });
    try {
      // Another connection holds the write lock: the batch's BEGIN IMMEDIATE is refused.
      setup.exec("BEGIN IMMEDIATE");
      const insert = (n: number) => Prisma.sql`INSERT INTO t (n) VALUES (${n})`;
      await expect(thread.write([insert(1)])).rejects.toMatchObject({ code: "SQLITE_BUSY" });
      setup.exec("COMMIT");
      // The same text again goes by its number only: it must run.
      await thread.write([insert(2)]);
      expect(setup.prepare("SELECT n FROM t").all()).toEqual([{ n: 2 }]);
    } finally {
      thread.close();
      setup.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The usage writer yields the CPU to requests (lib/db/batch-write.ts); a reader does not.
describe.runIf(fs.existsSync("/proc/thread-self"))("a background SQLite thread's priority", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyportal-nice-"));
  const file = path.join(dir, "nice.db");
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The nice value of each of this process's threads (field 19 of /proc/<pid>/task/<tid>/stat). */
  const niceValues = () =>
    fs.readdirSync(`/proc/${process.pid}/task`).flatMap((tid) => {
      let stat: string;
      try {
        stat = fs.readFileSync(`/proc/${process.pid}/task/${tid}/stat`, "utf8");
      } catch (error) {
        // A thread that ended between the listing and this read (another test's worker) has none.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw error;
      }
      return [Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])];
    });

  it("runs at BACKGROUND_NICE, its checkpointer too; a foreground thread keeps the process's", async () => {
    new Database(file).pragma("journal_mode = WAL");
    const before = niceValues().filter((nice) => nice === BACKGROUND_NICE).length;
    const foreground = new SqliteThread(file, { busyTimeoutMs: 1_000, pragmas: [], onDead: () => undefined });
    await foreground.read(Prisma.sql`SELECT 1`);
    expect(niceValues().filter((nice) => nice === BACKGROUND_NICE)).toHaveLength(before);
    const background = new SqliteThread(file, {
      busyTimeoutMs: 1_000,
      pragmas: [],
      checkpoints: true,
      background: true,
      onDead: () => undefined,
    });
    await background.read(Prisma.sql`SELECT 1`);
    // The checkpointer sets its own at its start, which nothing here waits for.
    await vi.waitFor(() => expect(niceValues().filter((nice) => nice === BACKGROUND_NICE)).toHaveLength(before + 2));
    foreground.close();
    background.close();
  });
});
