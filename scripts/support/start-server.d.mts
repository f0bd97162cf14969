// Types of start-server.mjs for the TypeScript callers (e2e/, tests/scale/).
import type { ChildProcess } from "node:child_process";

export interface StartServerOptions {
  port: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  host?: string;
  timeoutMs?: number;
  stopTimeoutMs?: number;
  processGroup?: boolean;
  inheritStderr?: boolean;
  npmStart?: boolean;
  /** Its stdout goes to this file instead of a pipe (output() reads the file's end). */
  stdoutFile?: string;
}

export interface RunningServer {
  /** http://host:port, no trailing slash. */
  url: string;
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Everything it printed so far (stderr too unless inherited). */
  output(): string;
  /** SIGTERM, then SIGKILL after the bound; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function startServer(options: StartServerOptions): Promise<RunningServer>;

export function buildOnce(options?: { env?: NodeJS.ProcessEnv; cwd?: string }): void;
