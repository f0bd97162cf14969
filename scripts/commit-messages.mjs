// npm test's check on commit messages (README, Development): since the convention began, each
// commit's subject is at most 72 characters (it is what `git log --oneline`, GitHub and mail
// show in full) and a body below a blank line says why. Checks the commits from CONVENTION_START
// to HEAD; exits 1 naming each commit that breaks it.
import { spawnSync } from "node:child_process";

/** The first commit written under the convention (issue 22). */
const CONVENTION_START = "3d8ec6d56c8e0a5d9cc56d8fb1776be81c360c70";
const MAX_SUBJECT = 72;

const git = (...args) => spawnSync("git", args, { encoding: "utf8" });

if (git("rev-parse", "--is-inside-work-tree").status !== 0) {
  console.log("commit messages: not a git checkout, no history to check");
  process.exit(0);
}
// A shallow clone may not reach the start: then every commit it holds is checked.
const reachable = git("merge-base", "--is-ancestor", CONVENTION_START, "HEAD").status === 0;
const range = reachable ? `${CONVENTION_START}^..HEAD` : "HEAD";
const log = git("log", "--no-merges", "--format=%H%x1f%s%x1f%b%x1e", range);
if (log.status !== 0) {
  console.error(`commit messages: git log failed: ${log.stderr.trim()}`);
  process.exit(1);
}
const problems = [];
let checked = 0;
for (const record of log.stdout.split("\x1e")) {
  if (!record.trim()) continue;
  const [hash, subject, body] = record.trim().split("\x1f");
  checked++;
  const short = hash.slice(0, 7);
  if (subject.length > MAX_SUBJECT)
    problems.push(`${short}: subject is ${subject.length} characters (at most ${MAX_SUBJECT}): ${subject}`);
  if (!body?.trim()) problems.push(`${short}: no body saying why: ${subject}`);
}
for (const problem of problems) console.error(problem);
console.log(`commit messages: ${checked} commits checked, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
