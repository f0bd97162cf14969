import { toKeyResponse, type KeyRecord } from "./keys";

/**
 * The body of a 201 that creates a key (generation, rotation): the reference's fields in its
 * order, then the extras. The only responses that carry the secret.
 */
export function generatedKeyBody(key: KeyRecord, secret: string) {
  const { id, api_key_name, user, status, created_at, ...rest } = toKeyResponse(key);
  return { id, api_key_name, api_key: secret, user, status, created_at, ...rest };
}
