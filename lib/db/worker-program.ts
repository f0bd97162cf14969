import type * as fs from "node:fs";
import type * as os from "node:os";
import type { MessagePort } from "node:worker_threads";

/**
 * How the database threads' programs (lib/db/sqlite-worker.ts, lib/db/pg-worker.ts) become a
 * worker's source. Each program is a function, so tsc and ESLint read it, and a thread runs its
 * source text (an eval worker): a worker file would need a path that holds in Next's server
 * bundle, in the fast-path bundle (scripts/build-fast-path.mjs) and under tsx alike, while a
 * function's text is whatever the loader compiled it to. Hence the rule for every program: it
 * references nothing outside its own body but its argument (the modules and workerData, required
 * by workerSource's prelude), and only types come from imports. tests/unit/sqlite-worker.test.ts
 * starts a thread under tsx and in an esbuild bundle; e2e runs it in Next's production build.
 */

/** How a message names a SQL text: its number once the thread has it, else [number, text]. */
export type SqlRef = number | [number, string];

/** A statement as a thread takes it: its text's reference and its values. */
export type ThreadStatement = [SqlRef, unknown[]];

export interface ThreadReply {
  id: number;
  result?: unknown;
  error?: { message: string; code?: string };
}

export interface WorkerData {
  /** The database driver's resolved path: an eval'd worker has no module of its own to resolve from. */
  driver: string;
  /** The nice value the thread lowers itself to (0: unchanged). */
  nice: number;
}

/** What a program gets: the driver and modules the prelude required, and its workerData. */
export interface WorkerContext<Data extends WorkerData, Driver> {
  parentPort: MessagePort;
  workerData: Data;
  driver: Driver;
  fs: typeof fs;
  os: typeof os;
}

type WorkerProgram<Data extends WorkerData, Driver> = (context: WorkerContext<Data, Driver>) => void;

/**
 * A program's source for `new Worker(source, { eval: true })`: its modules required, the thread's
 * priority lowered, then the program. `__name` is there because tsx compiles with esbuild's
 * keepNames, which wraps each named function in a call to a module-level helper of that name
 * that an eval'd text does not have; naming a function is all that helper does.
 */
export function workerSource<Data extends WorkerData, Driver>(program: WorkerProgram<Data, Driver>): string {
  return `"use strict";
const __name = (target) => target;
const { parentPort, workerData } = require("node:worker_threads");
const context = { parentPort, workerData, driver: require(workerData.driver), fs: require("node:fs"), os: require("node:os") };
(${lowerPriority.toString()})(context);
(${program.toString()})(context);
`;
}

// A background thread (the usage writer, the SQLite checkpointer) lowers its own priority: on two
// cores shared by the request thread, the writer and a client, the writer's turns preempted the
// request thread, and those stalls were the data API's slowest calls. Linux only (a thread's id
// is its /proc/thread-self); elsewhere the thread keeps the process's priority.
function lowerPriority({ workerData, fs, os }: WorkerContext<WorkerData, unknown>): void {
  if (!workerData.nice) return;
  try {
    const tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
    os.setPriority(tid, workerData.nice);
  } catch {
    // No /proc, or not allowed: the default priority.
  }
}
