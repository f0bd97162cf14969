// A Debian package a test run needs (Chromium for npm test, nginx for test:scale), installed
// with apt-get when its binary is missing and this process may (root, apt-get present), as a
// fresh CI machine needs. Otherwise a message saying how.
import { spawnSync } from "node:child_process";
import fs from "node:fs";

/** Whether `binary` exists, after installing `pkg` if it did not and could be. */
export function ensureAptPackage(binary, pkg, orElse) {
  if (fs.existsSync(binary)) return true;
  if (process.getuid?.() === 0 && fs.existsSync("/usr/bin/apt-get")) {
    console.log(`${binary} is missing: installing Debian's package (apt-get install ${pkg})…`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const apt = (args) => spawnSync("apt-get", args, { stdio: "inherit", env }).status === 0;
    if (apt(["update", "-qq"]) && apt(["install", "-y", "-qq", pkg])) return fs.existsSync(binary);
  }
  console.error(`No ${binary}. Install Debian's package as root (apt-get install -y ${pkg})${orElse}, then run again.`);
  return false;
}
