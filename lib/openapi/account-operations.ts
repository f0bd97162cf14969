import { z } from "zod";
import { workingHoursSchema } from "../auth/auth-schemas";
import { BEARER, badRequest, json, jsonBody, tooLarge, unauthenticated, unexpected } from "./operation-parts";
import { operation, type DocumentedOperation } from "./parameter-notes";

/** The "Account" tag: the account's settings. */

const workingHoursResponseSchema = z
  .object({ time_zone: z.string(), work_start_hour: z.int(), work_end_hour: z.int() })
  .meta({ id: "WorkingHours" });

export const accountOperations: DocumentedOperation[] = [
  operation({
    method: "put",
    path: "/api/account/working-hours",
    tags: ["Account"],
    summary: "Set working hours",
    description:
      "The hours [start, end) in an IANA time zone that the off-hours alert treats as normal; end may be before start (a night shift).",
    security: BEARER,
    request: {
      body: jsonBody(
        workingHoursSchema.meta({ id: "WorkingHoursRequest" }),
        "time_zone must be an IANA name such as Europe/Paris or UTC; work_end_hour must differ from work_start_hour.",
      ),
    },
    responses: {
      200: json(workingHoursResponseSchema, "The working hours as stored."),
      400: badRequest,
      401: unauthenticated,
      413: tooLarge,
      ...unexpected,
    },
  }),
];
