// Copies the pinned browser build of MQTT.js into the dashboard's static folder.
// Why: the dashboard must work with no Internet access (no CDN at runtime), so the
// exact bundle is committed; this script is how it is refreshed after `npm ci`.
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(here, "node_modules", "mqtt");
const outDir = join(here, "..", "..", "edge", "today_feeling", "web", "static", "vendor");
const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));

mkdirSync(outDir, { recursive: true });
const bundle = join(outDir, "mqtt.min.js");
copyFileSync(join(pkgDir, "dist", "mqtt.min.js"), bundle);
copyFileSync(join(pkgDir, "LICENSE.md"), join(outDir, "mqtt.LICENSE.md"));
const sha256 = createHash("sha256").update(readFileSync(bundle)).digest("hex");
writeFileSync(
  join(outDir, "VERSIONS.txt"),
  [
    "Vendored browser libraries (refresh: cd tools/dashboard-vendor && npm ci && npm run vendor)",
    "",
    `mqtt.min.js  ${pkg.name}@${pkg.version}  licence ${pkg.license} (see mqtt.LICENSE.md)`,
    `  source: https://www.npmjs.com/package/${pkg.name}/v/${pkg.version} dist/mqtt.min.js`,
    `  sha256: ${sha256}`,
    "",
  ].join("\n"),
);
console.log(`vendored ${pkg.name}@${pkg.version} sha256=${sha256}`);
