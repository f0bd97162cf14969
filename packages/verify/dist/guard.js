import { createVerifier } from "./verifier.js";
export const toVerifier = (verifier) => ("verifyKey" in verifier ? verifier : createVerifier(verifier));
export function routeOf(guard, request) {
  return typeof guard.route === "function" ? guard.route(request) : guard.route;
}
/** A header's value as the data API reads it: trimmed, empty = missing. */
export function headerText(value) {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text ? text : undefined;
}
