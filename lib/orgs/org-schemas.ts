import { body, text } from "../validation/fields";

/** POST /api/orgs. */
export const createOrganizationSchema = body({ name: text({ min: 1, max: 100 }) });
