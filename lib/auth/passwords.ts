import bcrypt from "bcryptjs";

const COST = 10;
// Compared against when the email is unknown, so both failures take the same time (tens of milliseconds).
const DUMMY_HASH = bcrypt.hashSync("timing-equalizer-not-a-password", COST);

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string | undefined): Promise<boolean> {
  return bcrypt.compare(password, hash ?? DUMMY_HASH).then((ok) => ok && hash !== undefined);
}
