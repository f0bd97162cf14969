// `node scripts/comment-figures.mjs [file or folder …]` (default: lib/): comments that quote a
// measurement ("took 15.4 ms", "22%", "8,143 req/s", "~50 µs", "99 ms on the …", "was tried"),
// printed as file:line, exit 1 if there are any. A figure in a comment goes stale when the
// machine or the code changes: the comment states the rule and its reason in words, and the
// figure goes to docs/design-measurements.md or the commit body. Rule constants ("every 10 ms",
// "50 ms busy timeout", "64 KB", "at most 500 rows") do not match: a measurement here is a
// percentage, µs, req/s, a decimal or a range of ms, ms after took/cost/about or before "on the",
// "a load", "of CPU", a "1,000,000-row" bench account, or "was tried". lib/db/generated is
// skipped: its comments come from prisma/*/schema.prisma.
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

const ROOT = path.resolve(import.meta.dirname, "..");
const NUM = String.raw`\d[\d,]*(?:\.\d+)?`;
const RANGE = String.raw`${NUM}(?:\s?[-–]\s?${NUM})?`;
const MEASUREMENT = new RegExp(
  [
    String.raw`${NUM}\s?%`, // 22%, 2-3%, ±15%
    String.raw`${NUM}\s?µs\b`, // 38 µs
    String.raw`req/s\b`, // 8,143 req/s
    String.raw`\b(?:took|takes|cost|costs|spent|spends)\s+(?:about\s+|roughly\s+|~)?${RANGE}\s?(?:ms|s|MB|KB)\b`,
    String.raw`(?:\babout\s+|\broughly\s+|~)${RANGE}\s?(?:ms|MB|KB)\b`, // about 4 ms, ~50 ms
    String.raw`\b\d+\.\d+\s?ms\b`, // 0.16 ms, 15.4 ms
    String.raw`\b${NUM}\s?[-–]\s?${NUM}\s?ms\b`, // 10-14 ms, 1–2 ms
    String.raw`\b${NUM}\s?ms\s+(?:on (?:the|this|that)\b|of CPU\b|one by one\b|a (?:load|summary|call|page|request|batch)\b)`,
    String.raw`\b${NUM}\s?(?:MB|KB|GB)\s+in\s+${NUM}`, // 277 MB in 5 s
    String.raw`\b\d{1,3}(?:,\d{3})+-row\b`, // the 1,000,000-row account
    String.raw`\b\d[\d,]*\s+in\s+${NUM}\s?(?:ms|s)\b`, // 1,071 in 4 s
    String.raw`\b(?:was|were) tried\b`,
  ].join("|"),
  "g",
);

function tsFiles(target) {
  if (fs.statSync(target).isFile()) return /\.tsx?$/.test(target) ? [target] : [];
  return fs
    .readdirSync(target, { withFileTypes: true })
    .filter((entry) => !(entry.isDirectory() && entry.name === "generated"))
    .flatMap((entry) => tsFiles(path.join(target, entry.name)));
}

/** Every comment of a file: its text and the 1-based line it starts on. */
function comments(file) {
  const text = fs.readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const found = new Map();
  const collect = (ranges) => {
    for (const { pos, end } of ranges ?? []) found.set(pos, text.slice(pos, end));
  };
  // Comments are trivia before (or after) a token: the parser's tokens tell a regex from a comment.
  const visit = (node) => {
    collect(ts.getLeadingCommentRanges(text, node.pos));
    collect(ts.getTrailingCommentRanges(text, node.end));
    for (const child of node.getChildren(source)) visit(child);
  };
  visit(source);
  return [...found].map(([pos, comment]) => ({ line: source.getLineAndCharacterOfPosition(pos).line + 1, comment }));
}

/** Each measurement in a comment, with its line: matched across line breaks ("took\n * 275 ms"). */
function measurements(file) {
  const hits = [];
  for (const { line, comment } of comments(file)) {
    // Each line break and the next line's leading `*` or `//` become one space, so a figure split
    // over two lines matches; `starts` maps a match back to its line.
    const starts = [];
    let flat = "";
    comment.split("\n").forEach((raw, i) => {
      starts.push(flat.length);
      flat += (i ? raw.replace(/^\s*(?:\*(?!\/)|\/\/)?/, "") : raw).trim() + " ";
    });
    for (const match of flat.matchAll(MEASUREMENT)) {
      const offset = starts.findLastIndex((start) => start <= match.index);
      hits.push({ line: line + offset, text: match[0] });
    }
  }
  return hits;
}

const targets = process.argv.length > 2 ? process.argv.slice(2) : ["lib"];
const hits = [];
for (const file of targets.flatMap((t) => tsFiles(path.resolve(ROOT, t)))) {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  for (const { line, text } of measurements(file)) {
    hits.push(`${path.relative(ROOT, file)}:${line}: "${text}" in: ${lines[line - 1].trim()}`);
  }
}
for (const hit of hits) console.log(hit);
if (hits.length) {
  console.log(
    `\n${hits.length} measurement(s) in comments: state the rule and its reason in words, ` +
      "and move the figure to docs/design-measurements.md or the commit body.",
  );
  process.exit(1);
}
console.log("No measurements in comments.");
