// `node scripts/lib-layers.mjs`: the folders of lib/ and which others each imports, then any
// cycle among them (exit 1 if there is one). Run by `npm test`'s checks: a folder-level cycle
// means no order of layers exists, so "what may import what" has no answer again. The floors
// themselves are enforced by ESLint (import/no-restricted-paths in eslint.config.mjs).
import fs from "node:fs";
import path from "node:path";

const LIB = path.resolve(import.meta.dirname, "..", "lib");
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']/g;

/** folder → folder it imports → the files that do. */
function folderGraph() {
  const graph = new Map();
  const visit = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "generated") visit(file);
        continue;
      }
      if (!/\.(ts|tsx|mts|mjs|cjs|js)$/.test(entry.name)) continue;
      const from = path.relative(LIB, file).split(path.sep)[0];
      if (!graph.has(from)) graph.set(from, new Map());
      for (const [, spec] of fs.readFileSync(file, "utf8").matchAll(IMPORT)) {
        const target = spec.startsWith("@/lib/")
          ? spec.slice("@/lib/".length)
          : spec.startsWith(".")
            ? path.relative(LIB, path.resolve(path.dirname(file), spec))
            : null;
        if (!target || target.startsWith("..")) continue;
        const to = target.split(/[/\\]/)[0];
        if (to === from) continue;
        const files = graph.get(from).get(to) ?? [];
        graph.get(from).set(to, [...files, path.relative(LIB, file)]);
      }
    }
  };
  visit(LIB);
  return graph;
}

/** Strongly connected groups of more than one folder (Tarjan). */
function cycles(graph) {
  let next = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const found = [];
  const connect = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const group = [];
    let w;
    do {
      w = stack.pop();
      group.push(w);
    } while (w !== v);
    if (group.length > 1) found.push(group.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return found;
}

const graph = folderGraph();
for (const [folder, targets] of [...graph].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`${folder.padEnd(12)} -> ${[...targets.keys()].sort().join(", ") || "(nothing in lib/)"}`);
}
const found = cycles(graph);
if (found.length) {
  console.error("\nlib/ folders that import each other in a cycle:");
  for (const group of found) {
    console.error(`  ${group.join(", ")}`);
    for (const from of group) {
      for (const [to, files] of graph.get(from)) {
        if (group.includes(to)) console.error(`    ${from} -> ${to}: ${[...new Set(files)].join(", ")}`);
      }
    }
  }
  process.exit(1);
}
console.log("\nno cycle among lib/ folders");
