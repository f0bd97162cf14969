import { beforeAll, describe, it } from "vitest";
import { PUT as putWorkingHours } from "@/app/api/account/working-hours/route";
import { noParams, request, seedSampleRoutes } from "../helpers";
import { createAccount, expectError, type Account } from "./support";

let account: Account;

beforeAll(async () => {
  await seedSampleRoutes();
  account = await createAccount({ prefix: "review", plan: "professional" });
});

describe("working hours take JSON numbers only", () => {
  it.each([
    [{ time_zone: "UTC", work_start_hour: null, work_end_hour: 20 }, "work_start_hour"],
    [{ time_zone: "UTC", work_start_hour: 8, work_end_hour: true }, "work_end_hour"],
    [{ time_zone: "UTC", work_start_hour: [9], work_end_hour: 20 }, "work_start_hour"],
    [{ time_zone: "UTC", work_start_hour: "9", work_end_hour: 20 }, "work_start_hour"],
    [{ time_zone: "UTC", work_start_hour: 8.5, work_end_hour: 20 }, "work_start_hour"],
  ])("%j → 400 naming %s", async (body, field) => {
    const response = await putWorkingHours(
      request("PUT", "/api/account/working-hours", { token: account.token, body }),
      noParams,
    );
    await expectError(response, 400, new RegExp(`^${field} must be a whole hour`));
  });
});
