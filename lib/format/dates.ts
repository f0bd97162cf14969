/** One date style across the portal: UTC, minute precision, stable between server and client. */
export function formatDateTime(value: string | Date | null | undefined, empty = "Never"): string {
  if (!value) return empty;
  const iso = typeof value === "string" ? value : value.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
