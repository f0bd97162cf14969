/** The credential in `Authorization: Bearer <token>`, or null when the header is missing or another scheme. */
export function bearerToken(header: string | null): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? "")?.[1] ?? null;
}
