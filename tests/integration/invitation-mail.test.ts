import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as invite } from "@/app/api/orgs/[id]/invitations/route";
import { resetConfigForTests } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { startSmtpServer } from "./smtp";
import { createAccount, ctx, readBody, request, type Account } from "./support";

// With SMTP_URL set, an invitation for an email is also mailed (nodemailer), to a real SMTP server
// here (smtp-server, in this process); without an email, or with the server gone, the link is
// still answered and the audit entry says whether it was mailed.

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let owner: Account;
let team: number;
const saved = process.env.SMTP_URL;

beforeAll(async () => {
  smtp = await startSmtpServer();
  owner = await createAccount({ prefix: "mail-owner" });
  team = (
    await db().organization.create({
      data: { name: "Mail Team", plan: "enterprise", members: { create: { userId: owner.id, role: "owner" } } },
    })
  ).id;
});

afterAll(async () => {
  await smtp.close();
  if (saved === undefined) delete process.env.SMTP_URL;
  else process.env.SMTP_URL = saved;
  resetConfigForTests();
});

function useSmtp(url: string | undefined) {
  if (url === undefined) delete process.env.SMTP_URL;
  else process.env.SMTP_URL = url;
  resetConfigForTests();
}

async function inviteWith(body: unknown) {
  const response = await invite(
    request("POST", `/api/orgs/${team}/invitations`, { token: owner.token, body }),
    ctx({ id: String(team) }),
  );
  expect(response.status).toBe(201);
  const created = await readBody(response);
  const audit = await db().auditLog.findFirstOrThrow({
    where: { ownerId: team, action: "org.invitation_created" },
    orderBy: { id: "desc" },
  });
  return { created, mailed: JSON.parse(audit.details ?? "{}").mailed as boolean };
}

describe("invitation mail", () => {
  it("mails the link to the invitation's email when SMTP_URL is set", async () => {
    useSmtp(smtp.url);
    const { created, mailed } = await inviteWith({ role: "developer", email: "New.Person@Example.com" });
    expect(mailed).toBe(true);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].to).toEqual(["new.person@example.com"]);
    // Quoted-printable may fold long lines: compare without soft line breaks.
    const body = smtp.received[0].body.replace(/=\r?\n/g, "");
    expect(body).toContain("Subject: You are invited to Mail Team on Key Portal");
    expect(body).toContain(created.url.replace(/=/g, "=3D"));
  });

  it("mails nothing for an invitation without an email, or without SMTP_URL", async () => {
    useSmtp(smtp.url);
    expect((await inviteWith({ role: "viewer" })).mailed).toBe(false);
    useSmtp(undefined);
    expect((await inviteWith({ role: "viewer", email: "someone@example.com" })).mailed).toBe(false);
    expect(smtp.received).toHaveLength(1);
  });

  it("still answers the link when the SMTP server is gone", async () => {
    // A port nothing listens on: the connection is refused at once.
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    useSmtp(`smtp://127.0.0.1:${deadPort}`);
    const { created, mailed } = await inviteWith({ role: "viewer", email: "late@example.com" });
    expect(mailed).toBe(false);
    expect(created.token).toMatch(/^inv_/);
  });
});
