// Types of redis-keys.mjs for the TypeScript callers (tests/scale/).
import type { Redis } from "ioredis";

export function deletePortalKeys(redis: Redis): Promise<void>;
