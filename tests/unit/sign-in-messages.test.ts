import { describe, expect, it } from "vitest";
import { signInErrorMessage, THROTTLED_ERROR } from "@/lib/auth/sign-in-messages";

describe("the portal sign-in form's error", () => {
  it("says how long to wait when throttled, in whole minutes", () => {
    expect(signInErrorMessage(`${THROTTLED_ERROR}:300`)).toBe(
      "Too many failed sign-ins. Wait 5 minutes and try again.",
    );
    expect(signInErrorMessage(`${THROTTLED_ERROR}:900`)).toBe(
      "Too many failed sign-ins. Wait 15 minutes and try again.",
    );
    expect(signInErrorMessage(`${THROTTLED_ERROR}:30`)).toBe("Too many failed sign-ins. Wait 1 minute and try again.");
    expect(signInErrorMessage(`${THROTTLED_ERROR}:nonsense`)).toBe(
      "Too many failed sign-ins. Wait 1 minute and try again.",
    );
  });

  it("says wrong email or password for anything else", () => {
    expect(signInErrorMessage("CredentialsSignin")).toBe("Wrong email or password.");
    expect(signInErrorMessage(undefined)).toBe("Wrong email or password.");
  });
});
