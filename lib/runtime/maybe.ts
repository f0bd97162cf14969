/**
 * A value now, or a promise of it. The hot paths (the data API, the gateway, verify) answer from
 * memory (the key and route caches, the in-process limiter, the service-token cache) without
 * creating a promise: with Next's AsyncLocalStorage in the process, every promise also runs async
 * hooks, and the ten of them a call would make cost a large share of its time. Only a cache miss,
 * Redis or a first read of stored counters waits.
 */
export type Maybe<T> = T | Promise<T>;

/** `next` applied to the value: at once when it is one, else when the promise settles. */
export function andThen<T, U>(value: Maybe<T>, next: (value: T) => Maybe<U>): Maybe<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
