/**
 * The type prefix every API key starts with (lib/keys/secret.ts builds keys around it). Here, on
 * the lowest floor, because the log redactor (lib/log/redact.ts) must recognise keys too.
 */
export const KEY_PREFIX = "sk_live_";
