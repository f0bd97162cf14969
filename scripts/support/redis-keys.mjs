/**
 * Deletes the portal's keys (keyportal:*) from a Redis, and nothing else in it: the bench and
 * test:scale start on a fresh database, which reuses account ids, so old counters would count.
 */
export async function deletePortalKeys(redis) {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", "keyportal:*", "COUNT", 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}
