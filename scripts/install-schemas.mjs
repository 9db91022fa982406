#!/usr/bin/env node
// Fills the schema directory (GATEWAY_SCHEMA_DIR, default schemas/vendor) with the official
// third-party schemas listed in schemas/manifest.json. They are never committed: we copy them from
// ../shared/schemas when that folder exists (developer machines and CI), otherwise download each file
// from the source recorded in the manifest. Every file is checked against its sha256 either way.
//
//   node scripts/install-schemas.mjs                 install / verify
//   node scripts/install-schemas.mjs --write-manifest SRC   (maintainers) regenerate the manifest from SRC
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifestPath = join(root, 'schemas', 'manifest.json');
const target = resolve(root, process.env.GATEWAY_SCHEMA_DIR ?? 'schemas/vendor');
const sharedDefault = resolve(root, '..', 'shared', 'schemas');
const shared = resolve(process.env.GATEWAY_SCHEMA_SOURCE ?? sharedDefault);

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

// Where each folder of the schema directory comes from (see ../shared/schemas/SOURCES.md).
const GH = 'https://raw.githubusercontent.com';
const XPLANBOX = `${GH}/gritGmbH/xplanbox/913945c5896e04f6ad178ae3704a26e4697e9c70/xplan-core/xplan-core-schemas/src/main/resources/appschemas`;
const GOVDATA = `${GH}/GovDataOfficial/DCAT-AP.de-SHACL-Validation/0715dd6382b418db144325082d60a989e7ecd262/validator/resources`;
const SOURCES = [
  [/^xplanung\/xlink\/(.+)$/, (m) => `${XPLANBOX}/xlink/${m[1]}`],
  [/^xplanung\/(\d)\.(\d)\/(.+)$/, (m) => `${XPLANBOX}/XPlanGML_${m[1]}_${m[2]}/${m[3]}`],
  [/^ogc\/(.+)$/, (m) => `${GH}/highsource/ogc-schemas/18ce89928006eee08ed7e5a6ce6ea016436a444b/schemas/src/main/resources-original/ogc/${m[1]}`],
  [/^dcat-ap-de\/3\.0\/(.+)$/, (m) => `${GOVDATA}/v3.0/shapes/${m[1]}`],
  [/^dcat-ap-de\/2\.0\/(.+)$/, (m) => `${GOVDATA}/v2.0/shapes/${m[1]}`],
  [/^dcat-ap-de\/base\/dcat-ap-3\.0\.0-SHACL\.ttl$/, () => `${GH}/SEMICeu/DCAT-AP/7c531da7f154794da620fd0e57a3e8afe0286c0f/releases/3.0.0/shacl/dcat-ap-SHACL.ttl`],
  [/^dcat-ap-de\/base\/(.+)$/, (m) => `${GH}/init-dcat-ap-de/DCAT-AP/ecd2dc9c86d27b589b0d0a1da9017e82236a876b/releases/2.1.1/${m[1]}`],
  [/^dcat-ap-de\/vocab\/dcat-ap-de-contributors\.rdf$/, () => `${GOVDATA}/dashboard-live/shapes/dcat-ap-de-contributors.rdf`],
  [/^dcat-ap-de\/vocab\/dcat-ap-de-licenses\.rdf$/, () => `${GOVDATA}/dashboard-live/shapes/dcat-ap-de-licenses-open.rdf`],
  [/^dcat-ap-de\/vocab\/(foaf_0_1\.rdf|vcard\.ttl|org\.ttl)$/, (m) => `${GOVDATA}/mirror/${m[1]}`],
  [/^dcat-ap-de\/vocab\/(.+)$/, (m) => `${GH}/piveau-data/piveau-shacl-validator/e4660802582a5a4561338d0d490f95ecfad51cb2/src/main/resources/rdf/${m[1]}`],
  [/^dcat-ap-plu\/0\.2\.4\/README\.release\.md$/, () => `${GH}/wemove/dcat-ap-plu/f27766f55cc22c79162e2012bc2aed4029e8f136/releases/0.2.4/README.md`],
  [/^dcat-ap-plu\/0\.2\.4\/(.+)$/, (m) => `${GH}/wemove/dcat-ap-plu/f27766f55cc22c79162e2012bc2aed4029e8f136/releases/0.2.4/${m[1]}`],
  [/^xbeteiligung\/1\.2\/(.+)$/, (m) => `${GH}/demos-europe/demosplan-addon-xbeteiligung-async/1c92f6d54383730a133167b594b265e0bf82388b/Resources/xsd/${m[1]}`],
  [/^xbeteiligung\/1\.3\/(.+)$/, (m) => `${GH}/demos-europe/demosplan-addon-xbeteiligung-async/f886fb2f058a2c2aa51cb4b29db83e4e352b9ee0/Resources/xsd/${m[1]}`],
  [/^xbeteiligung\/1\.0\/(.+)$/, (m) => `${GH}/demos-europe/demosplan-addon-xbeteiligung-async/c7ae1d4f06b40e862ed4a5da0723dcc72ccada5b/Resources/xsd/${m[1]}`],
];
// Groups the gateway cannot run without; the rest (XBeteiligung) is installed when available.
const REQUIRED_PREFIXES = ['xplanung/', 'ogc/', 'dcat-ap-de/', 'dcat-ap-plu/'];

function sourceUrl(path) {
  for (const [re, fn] of SOURCES) {
    const m = re.exec(path);
    if (m) return fn(m);
  }
  return null; // notes and files written for this project: only available from a local copy
}

if (process.argv[2] === '--write-manifest') {
  const src = resolve(process.argv[3] ?? shared);
  const files = walk(src)
    .map((p) => relative(src, p).split(sep).join('/'))
    .sort()
    .map((path) => ({
      path,
      sha256: sha256(readFileSync(join(src, path))),
      url: sourceUrl(path),
      required: REQUIRED_PREFIXES.some((p) => path.startsWith(p)) && sourceUrl(path) !== null,
    }));
  writeFileSync(manifestPath, JSON.stringify({ description: 'Third-party schemas installed into GATEWAY_SCHEMA_DIR; see ../shared/schemas/SOURCES.md for provenance and licences.', files }, null, 2) + '\n');
  console.log(`manifest: ${files.length} files from ${src}`);
  process.exit(0);
}

async function download(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const haveShared = existsSync(shared);
let copied = 0, downloaded = 0, present = 0;
const problems = [];
for (const f of manifest.files) {
  const dest = join(target, f.path);
  if (existsSync(dest) && sha256(readFileSync(dest)) === f.sha256) { present++; continue; }
  let buf = null;
  const local = join(shared, f.path);
  if (haveShared && existsSync(local)) { buf = readFileSync(local); copied++; }
  else if (f.url) {
    try { buf = await download(f.url); downloaded++; }
    catch (e) { problems.push(`${f.path}: download from ${f.url} failed (${e.message})`); continue; }
  } else { if (f.required) problems.push(`${f.path}: not in ${shared} and no download source`); continue; }
  if (sha256(buf) !== f.sha256) { problems.push(`${f.path}: sha256 mismatch (expected ${f.sha256})`); continue; }
  mkdirSync(dirname(dest), { recursive: true });
  writeFileSync(dest, buf);
}
const fatal = problems.filter((p) => manifest.files.find((f) => p.startsWith(f.path + ':'))?.required);
console.log(`schemas: ${present} present, ${copied} copied from ${haveShared ? shared : '(no shared folder)'}, ${downloaded} downloaded -> ${target}`);
for (const p of problems) console.warn(`schemas: ${p}`);
if (fatal.length) { console.error(`schemas: ${fatal.length} required file(s) missing; the gateway will refuse to start.`); process.exit(1); }
