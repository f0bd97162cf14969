// Types of build-fast-path.mjs for the TypeScript callers (tests/unit/sqlite-worker.test.ts).
import type { BuildOptions } from "esbuild";

export declare const FAST_PATH_BUNDLE: string;
export declare const FAST_PATH_OPTIONS: BuildOptions;
export declare function buildFastPath(): Promise<void>;
