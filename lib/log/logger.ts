import os from "node:os";
import pino, { type DestinationStream, type Logger } from "pino";
import pretty from "pino-pretty";
import { readEnv } from "../config/env";
import { serializeError } from "./redact";
import { currentRequest } from "./request-context";
import { NativeDate } from "../runtime/native-date";

export type { Logger };

const LOG_BUFFER_BYTES = 16 * 2 ** 20;

interface LogSettings {
  level: string;
  format: "json" | "pretty";
}

/**
 * A pino logger: one JSON object per line (time, level, msg, pid, and the request id of the
 * request the line was written for), or pino-pretty's text with LOG_FORMAT=pretty. Lines are
 * written asynchronously (a buffered destination: a request never waits on stdout) and flushed
 * at exit by pino itself. Errors go under `err`, their message and stack with every key and
 * digest taken out (lib/log/redact.ts).
 */
export function createLogger({ level, format }: LogSettings, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      // pino's isoTime, with the Date Next has not wrapped (lib/runtime/native-date.ts).
      timestamp: () => `,"time":"${new NativeDate().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
      mixin() {
        const request = currentRequest();
        return request ? { reqId: request.id } : {};
      },
    },
    destination ??
      (format === "pretty"
        ? pretty({ sync: false, translateTime: "SYS:standard", ignore: "hostname" })
        : // Bounded: if stdout stops taking lines (a stalled log collector), lines past this are
          // dropped rather than held in memory without end.
          pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_BYTES })),
  );
}

// One logger per process, whichever copy of this module asks first: the production server
// (scripts/server.mjs) creates it, its fast-path bundle and Next's bundle find it here, so all
// lines go through one buffer (two buffers on one stdout could split each other's lines).
const KEY = Symbol.for("keyportal.logger");
const slot = globalThis as unknown as { [KEY]?: Logger };

/** The process's logger (LOG_LEVEL, LOG_FORMAT). */
export function log(): Logger {
  if (slot[KEY]) return slot[KEY];
  const env = readEnv();
  return (slot[KEY] = createLogger({ level: env.LOG_LEVEL, format: env.LOG_FORMAT }));
}

/**
 * For command-line tools (the admin CLI): log lines go to stderr, written at once, so stdout
 * holds only the command's own output and nothing is lost when the tool exits.
 */
export function logToStderr(): void {
  const env = readEnv();
  slot[KEY] = createLogger({ level: env.LOG_LEVEL, format: "json" }, pino.destination({ dest: 2, sync: true }));
}

/** What an access-log line says (lib/http/request-observer.ts). */
export interface AccessLine {
  reqId: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  keyId?: number;
  username?: string;
  ip: string;
  aborted?: boolean;
}

const HOSTNAME = JSON.stringify(os.hostname());
const text = (value: string) => JSON.stringify(value);

/**
 * One access-log line, the JSON pino would write for logger.info(line, "request"), built here and
 * written straight to the logger's destination: one is written per request, and pino's general
 * serialisation of it cost a large share of a data API call (BENCHMARKS.md, access log). Every
 * text field goes through JSON.stringify, so nothing a caller sends can break the line.
 */
export function writeAccessLine(logger: Logger, line: AccessLine): void {
  if (!logger.isLevelEnabled("info")) return;
  const destination = (logger as unknown as Record<symbol, { write(chunk: string): void }>)[pino.symbols.streamSym];
  destination.write(
    `{"level":"info","time":"${new NativeDate().toISOString()}","pid":${process.pid},"hostname":${HOSTNAME},` +
      `"reqId":${text(line.reqId)},"method":${text(line.method)},"path":${text(line.path)},"status":${line.status},` +
      `"ms":${line.ms}${line.keyId === undefined ? "" : `,"keyId":${line.keyId}`}` +
      `${line.username === undefined ? "" : `,"username":${text(line.username)}`},"ip":${text(line.ip)}` +
      `${line.aborted ? ',"aborted":true' : ""},"msg":"request"}\n`,
  );
}
