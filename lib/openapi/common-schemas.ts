import { z } from "zod";

/**
 * The pieces the response schemas of every tag are built from. Responses have no zod schema in
 * lib/ (they are built by functions such as toKeyResponse), so each tag's module describes them;
 * `documents<T>()` makes each description a compile error when it stops matching the type the
 * code returns, both ways.
 */

type Agrees<Documented, Actual> = [Documented] extends [Actual]
  ? [Actual] extends [Documented]
    ? true
    : false
  : false;

/** `documents<KeyResponse>()(schema)` compiles only while the schema's output type is KeyResponse. */
export function documents<Actual>() {
  return <S extends z.ZodType>(schema: S & (Agrees<z.output<S>, Actual> extends true ? unknown : never)): S => schema;
}

export const isoTime = z.iso.datetime({ offset: true }).meta({ examples: ["2025-01-15T10:30:00.000Z"] });
export const rowId = z.int().min(1);

export const successMessageSchema = z
  .object({ success: z.literal(true), message: z.string() })
  .meta({ id: "SuccessMessage" });

export const paginationSchema = z
  .object({ page: rowId, per_page: rowId, total: z.int().min(0) })
  .meta({ id: "Pagination" });
