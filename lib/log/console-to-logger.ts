import { format } from "node:util";
import type { Logger } from "pino";
import { errorForLog } from "./redact";

// Next colours its own lines for a terminal; in a JSON line the escapes are noise.
const TERMINAL_COLOURS = /\x1b\[[0-9;]*m/g;

/**
 * Sends console.log/info/warn/error/debug through `logger` (scripts/server.mjs does this for the
 * production server): each call one line at the matching level, its text formatted as console
 * would (an Error with its stack, no terminal colours) and redacted like every logged error.
 */
export function consoleToLogger(logger: Logger): void {
  const levels = { debug: "debug", log: "info", info: "info", warn: "warn", error: "error" } as const;
  for (const [method, level] of Object.entries(levels)) {
    console[method as keyof typeof levels] = (...args: unknown[]) => {
      logger[level]({ console: true }, errorForLog(format(...args)).replace(TERMINAL_COLOURS, ""));
    };
  }
}
