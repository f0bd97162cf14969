// `npm run build -w @keyportal/verify`: compiles src/ to dist/ (JavaScript + declarations) and
// formats it as the repository does, so dist/ is committed and installs need no build step.
// `--check` writes nothing and fails when dist/ differs from what src/ compiles to.
import fs from "node:fs";
import path from "node:path";
import prettier from "prettier";
import ts from "typescript";

const here = import.meta.dirname;
const dist = path.join(here, "dist");

function compile() {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(here, "tsconfig.build.json"), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  });
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => here, getNewLine: () => "\n" };
    throw new Error(ts.formatDiagnostics(diagnostics, host));
  }
  const outputs = new Map();
  program.emit(undefined, (fileName, text) => outputs.set(path.resolve(fileName), text));
  return outputs;
}

async function format(outputs) {
  const formatted = new Map();
  for (const [file, text] of outputs) {
    const config = await prettier.resolveConfig(file);
    formatted.set(file, await prettier.format(text, { ...config, filepath: file }));
  }
  return formatted;
}

const listDist = () =>
  fs.existsSync(dist) ? fs.readdirSync(dist, { recursive: true }).map((name) => path.join(dist, String(name))) : [];

const outputs = await format(compile());
if (process.argv.includes("--check")) {
  const stale = [...outputs].filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text);
  const extra = listDist().filter((file) => fs.statSync(file).isFile() && !outputs.has(file));
  for (const [file] of stale) console.error(`stale: ${path.relative(here, file)}`);
  for (const file of extra) console.error(`not built from src/: ${path.relative(here, file)}`);
  if (stale.length || extra.length) {
    console.error("dist/ is out of date: run `npm run build -w @keyportal/verify`.");
    process.exit(1);
  }
  console.log(`dist/ matches src/ (${outputs.size} files).`);
} else {
  fs.rmSync(dist, { recursive: true, force: true });
  for (const [file, text] of outputs) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  console.log(`Built ${outputs.size} files into dist/.`);
}
