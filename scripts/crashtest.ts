// `npm run crashtest [-- --rounds N]`: starts the gateway, drives concurrent writes (procedure
// creates and edits, Open311 reports, plan pushes), kills it with SIGKILL mid-load, restarts it,
// and checks that every acknowledged write is there, nothing half-written is visible, and
// SQLite's integrity check passes. Repeats for several rounds on the same database.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { create } from 'xmlbuilder2';
import { projectRoot } from '../src/core/paths.ts';
import { ADMIN, startGateway } from './gateway-process.ts';

const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'bgw-crash-'));
const db = join(dir, 'crash.db');
const port = 19900 + Math.floor(Math.random() * 90);
const planTemplate = readFileSync(join(projectRoot, 'fixtures', 'xplanung', 'demo-bebauungsplan-7.gml'), 'utf8');

interface Acked {
  procedures: Map<string, { version: number; title: string }>;
  reports: Set<string>;
  plans: Map<string, string>;
}
const acked: Acked = { procedures: new Map(), reports: new Set(), plans: new Map() };
let keys: { write: string; submit: string; staff: string } | undefined;

/** The demo plan with its own gml:ids (every id and every reference renamed, through the XML tree, not text). */
function planWithId(id: string): string {
  const doc = create(planTemplate);
  doc.root().each((n) => {
    const el = n.node as unknown as { attributes?: { length: number; item(i: number): { name: string; value: string } | null }; setAttributeNS?(ns: string, name: string, v: string): void };
    if (!el.attributes) return;
    for (let i = 0; i < el.attributes.length; i++) {
      const a = el.attributes.item(i)!;
      if (a.name === 'gml:id') n.att('http://www.opengis.net/gml/3.2', 'gml:id', a.value === 'GML_demostadt_bplan_7' ? id : `${a.value}_${id}`);
      else if (a.name === 'xlink:href' && a.value.startsWith('#')) n.att('http://www.w3.org/1999/xlink', 'xlink:href', a.value === '#GML_demostadt_bplan_7' ? `#${id}` : `${a.value}_${id}`);
    }
  }, true, true);
  return doc.end();
}

async function json(res: Response): Promise<Record<string, unknown>> { return (await res.json()) as Record<string, unknown>; }

async function setUp(base: string): Promise<void> {
  const admin = { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' };
  await fetch(`${base}/admin/v1/tenants`, { method: 'POST', headers: admin, body: JSON.stringify({ id: 'demo', name: 'Demostadt', ags: ['14522530'], contact: { email: 'bauamt@demostadt.example' } }) });
  const key = async (scopes: string[]) => String((await json(await fetch(`${base}/admin/v1/tenants/demo/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ label: 'crash', scopes }) }))).key);
  keys = { write: await key(['procedures:write', 'xplanung:push']), submit: await key(['open311:submit']), staff: await key(['open311:manage']) };
  await fetch(`${base}/api/v1/tenants/demo/services`, { method: 'POST', headers: { Authorization: `Bearer ${keys.staff}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ service_code: 'schlagloch', service_name: 'Schlagloch', moderated: false }) });
}

/** One writer: a loop of writes until stopped; only 2xx answers count as acknowledged. */
async function writer(base: string, n: number, stop: { now: boolean }): Promise<number> {
  const k = keys!;
  let done = 0;
  for (let i = 0; !stop.now; i++) {
    try {
      const kind = (n + i) % 4;
      if (kind === 0) {
        const title = `Verfahren ${n}-${i}`;
        const res = await fetch(`${base}/api/v1/tenants/demo/procedures`, { method: 'POST', headers: { Authorization: `Bearer ${k.write}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ title, family: 'informell', planKind: 'dialog' }) });
        if (res.status === 201) { const b = await json(res); acked.procedures.set(String(b.id), { version: 1, title }); done++; }
      } else if (kind === 1 && acked.procedures.size > 0) {
        const ids = [...acked.procedures.keys()];
        const id = ids[(n * 7919 + i) % ids.length]!;
        const title = `Geändert ${n}-${i}`;
        const res = await fetch(`${base}/api/v1/tenants/demo/procedures/${id}`, { method: 'PATCH', headers: { Authorization: `Bearer ${k.write}`, 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ title }) });
        if (res.status === 200) {
          const version = Number(/\.(\d+)"$/.exec(res.headers.get('etag') ?? '')?.[1]);
          const prev = acked.procedures.get(id);
          if (!prev || version > prev.version) acked.procedures.set(id, { version, title });
          done++;
        } else await res.arrayBuffer();
      } else if (kind === 2) {
        const res = await fetch(`${base}/open311/v2/requests.json`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ api_key: k.submit, service_code: 'schlagloch', lat: '50.644', long: '13.234', description: `Loch ${n}-${i}` }).toString() });
        if (res.status === 200) { const b = (await res.json()) as Array<{ service_request_id: string }>; acked.reports.add(b[0]!.service_request_id); done++; }
      } else {
        const planId = `GML_crash_${n}_${i}`;
        const res = await fetch(`${base}/xplanung/v1/tenants/demo/plans`, { method: 'POST', headers: { Authorization: `Bearer ${k.write}`, 'Content-Type': 'application/gml+xml' }, body: planWithId(planId) });
        if (res.status === 201 || res.status === 200) { const b = await json(res); acked.plans.set(planId, String((b.plans as Array<{ procedureId: string }>)[0]!.procedureId)); done++; }
      }
    } catch {
      // the process died under us: this write was never acknowledged
      if (stop.now) break;
    }
  }
  return done;
}

async function verify(base: string): Promise<string[]> {
  const k = keys!;
  const problems: string[] = [];
  for (const [id, want] of acked.procedures) {
    const res = await fetch(`${base}/api/v1/tenants/demo/procedures/${id}`, { headers: { Authorization: `Bearer ${k.write}` } });
    if (res.status !== 200) { problems.push(`procedure ${id}: ${res.status}`); continue; }
    const got = await json(res);
    const version = Number(/\.(\d+)"$/.exec(res.headers.get('etag') ?? '')?.[1]);
    if (version < want.version) problems.push(`procedure ${id}: version ${version} < acknowledged ${want.version}`);
    if (version === want.version && got.title !== want.title) problems.push(`procedure ${id}: title ${String(got.title)} ≠ acknowledged ${want.title}`);
  }
  const listed = new Set<string>();
  for (let offset = 0; ; offset += 1000) {
    const page = (await json(await fetch(`${base}/api/v1/tenants/demo/requests?limit=1000&offset=${offset}`, { headers: { Authorization: `Bearer ${k.staff}` } }))).items as Array<{ service_request_id: string }>;
    for (const r of page) listed.add(r.service_request_id);
    if (page.length < 1000) break;
  }
  for (const id of acked.reports) if (!listed.has(id)) problems.push(`report ${id} lost`);
  const plans = new Map(((await json(await fetch(`${base}/xplanung/v1/tenants/demo/plans`))).plans as Array<{ planId: string; procedureId: string }>).map((p) => [p.planId, p.procedureId]));
  for (const [planId, procedureId] of acked.plans) {
    if (plans.get(planId) !== procedureId) problems.push(`plan ${planId}: mapped to ${plans.get(planId)} ≠ acknowledged ${procedureId}`);
    const p = await fetch(`${base}/api/v1/tenants/demo/procedures/${procedureId}`, { headers: { Authorization: `Bearer ${k.write}` } });
    if (p.status !== 200) problems.push(`plan ${planId}: its procedure answers ${p.status}`);
    await p.arrayBuffer();
  }
  // nothing half-written: every plan row points at a live procedure, every procedure of a plan has its external id
  const sqlite = new Database(db, { readonly: true });
  try {
    const orphans = sqlite.prepare('SELECT count(*) AS n FROM xplan_plan p LEFT JOIN procedure r ON r.id = p.procedure_id WHERE r.id IS NULL').get() as { n: number };
    if (orphans.n) problems.push(`${orphans.n} plan rows without procedure`);
    const noExt = sqlite.prepare("SELECT count(*) AS n FROM xplan_plan p WHERE NOT EXISTS (SELECT 1 FROM external_id x WHERE x.procedure_id = p.procedure_id AND x.system = 'xplanung')").get() as { n: number };
    if (noExt.n) problems.push(`${noExt.n} plan procedures without their external id`);
    // a pushed plan always brings dated phases: a plan procedure without any is half-written
    const noPhases = sqlite.prepare('SELECT count(*) AS n FROM xplan_plan p WHERE NOT EXISTS (SELECT 1 FROM phase f WHERE f.procedure_id = p.procedure_id)').get() as { n: number };
    if (noPhases.n) problems.push(`${noPhases.n} plan procedures without their phases`);
    const noSource = sqlite.prepare('SELECT count(*) AS n FROM xplan_plan p LEFT JOIN xplan_document d ON d.content_hash = p.content_hash WHERE d.content_hash IS NULL').get() as { n: number };
    if (noSource.n) problems.push(`${noSource.n} plan rows without their source document`);
    const personalOrphans = sqlite.prepare('SELECT count(*) AS n FROM service_request_personal x LEFT JOIN service_request r ON r.id = x.request_id WHERE r.id IS NULL').get() as { n: number };
    if (personalOrphans.n) problems.push(`${personalOrphans.n} personal-data rows without their report`);
  } finally {
    sqlite.close();
  }
  return problems;
}

let totalAcked = 0;
let lost = 0;
try {
  for (let round = 1; round <= rounds; round++) {
    const gw = await startGateway(db, port);
    if (round === 1) await setUp(gw.base);
    else {
      const problems = await verify(gw.base);
      if (problems.length) { lost += problems.length; console.log(problems.slice(0, 20).join('\n')); }
    }
    // compile the XPlanung schema in both validation workers first, so pushes run at full speed
    await Promise.all([1, 2].map(() => fetch(`${gw.base}/xplanung/v1/validate`, { method: 'POST', headers: { 'Content-Type': 'application/gml+xml' }, body: planTemplate }).then((r) => r.arrayBuffer())));
    const stop = { now: false };
    const workers = Array.from({ length: 8 }, (_, n) => writer(gw.base, round * 100 + n, stop));
    const killAfter = 1500 + Math.floor(Math.random() * 2500);
    await new Promise((r) => setTimeout(r, killAfter));
    const exited = new Promise((r) => (gw.child.exitCode !== null || gw.child.signalCode !== null ? r(undefined) : gw.child.once('exit', r)));
    gw.child.kill('SIGKILL');
    await exited;
    stop.now = true;
    const done = (await Promise.all(workers)).reduce((a, b) => a + b, 0);
    totalAcked += done;
    const sqlite = new Database(db, { readonly: true });
    const integrity = sqlite.pragma('integrity_check', { simple: true });
    sqlite.close();
    console.log(`round ${round}: ${done} writes acknowledged, SIGKILL after ${killAfter} ms, integrity_check: ${String(integrity)}`);
    if (integrity !== 'ok') lost++;
  }
  const gw = await startGateway(db, port);
  const problems = await verify(gw.base);
  gw.child.kill('SIGTERM');
  lost += problems.length;
  if (problems.length) console.log(problems.slice(0, 20).join('\n'));
  console.log(`crashtest: ${rounds} SIGKILLs survived; ${totalAcked} acknowledged writes (${acked.procedures.size} procedures, ${acked.reports.size} reports, ${acked.plans.size} plans) checked; ${lost} lost or corrupt`);
  process.exitCode = lost === 0 ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
