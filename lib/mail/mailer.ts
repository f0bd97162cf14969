import nodemailer, { type Transporter } from "nodemailer";
import { getConfig } from "../config/env";
import { log } from "../log/logger";

/**
 * Outgoing mail, through the SMTP server SMTP_URL names (nodemailer: SMTP, STARTTLS and
 * authentication are its job, not ours to hand-write). Mail is a courtesy beside a link the caller
 * already has: a failure is logged and reported as false, never an error of the request, and every
 * wait on the server is bounded so a dead SMTP server cannot hold a request.
 */
let transport: { url: string; transporter: Transporter } | undefined;

function transporterFor(url: string): Transporter {
  if (transport?.url !== url) {
    transport = {
      url,
      transporter: nodemailer.createTransport(url, {
        connectionTimeout: 5_000,
        greetingTimeout: 5_000,
        socketTimeout: 10_000,
      }),
    };
  }
  return transport.transporter;
}

/** Whether mail can be sent at all (SMTP_URL is set). */
export const mailConfigured = () => getConfig().smtpUrl !== undefined;

/** Sends a plain-text mail; true once the SMTP server accepted it, false if not configured or refused. */
export async function sendMail(message: { to: string; subject: string; text: string }): Promise<boolean> {
  const { smtpUrl, mailFrom } = getConfig();
  if (!smtpUrl) return false;
  try {
    await transporterFor(smtpUrl).sendMail({ from: mailFrom, ...message });
    return true;
  } catch (error) {
    // The recipient's address is the caller's to know; the server's answer says what went wrong.
    log().error({ err: error }, `[mail] could not send "${message.subject}"`);
    return false;
  }
}
