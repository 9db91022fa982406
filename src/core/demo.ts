// The demo tenant: created on first start when GATEWAY_DEMO is on, so that the README's curl calls
// work without any setup. Its keys are well known and must never exist in production.
import { hashApiKey } from './auth.ts';
import type { ProcedureInput, Tenant } from './model.ts';
import type { Scope, Store } from './storage/repository.ts';

export const DEMO_TENANT: Tenant = {
  id: 'demo',
  name: 'Demostadt (Beispielgemeinde)',
  kind: 'gemeinde',
  ags: ['14522530'],
  // an id of the DCAT-AP.de contributor list (the admin API refuses others): a Saxon municipality's
  // datasets reach GovData through the Free State's portal
  contributorId: 'http://dcat-ap.de/def/contributors/freistaatSachsen',
  licence: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0',
  contact: { name: 'Bauamt Demostadt', email: 'bauamt@demostadt.example', url: 'https://demostadt.example/bauamt' },
};

export const DEMO_KEYS: { label: string; key: string; scopes: Scope[] }[] = [
  { label: 'demo planning office', key: 'demo-key-procedures', scopes: ['procedures:write', 'xplanung:push'] },
  { label: 'demo civic app', key: 'demo-key-open311', scopes: ['open311:submit'] },
  { label: 'demo staff', key: 'demo-key-staff', scopes: ['open311:manage', 'procedures:write'] },
];

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

function sampleProcedures(): ProcedureInput[] {
  return [
    {
      title: 'Bebauungsplan Nr. 12 „Am Mühlgraben“',
      description: 'Wohnbebauung auf der Brachfläche der ehemaligen Spinnerei.',
      family: 'bauleitplanung',
      planKind: 'bebauungsplan',
      number: '12',
      verfahrensart: 'normal',
      phases: [
        { kind: 'aufstellungsbeschluss', audience: 'intern', durchgang: 1, start: isoDay(-200), end: null },
        { kind: 'fruehzeitige_beteiligung', audience: 'oeffentlichkeit', durchgang: 1, start: isoDay(-120), end: isoDay(-90) },
        { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 1, start: isoDay(-5), end: isoDay(25) },
        { kind: 'toeb_beteiligung', audience: 'toeb', durchgang: 1, start: isoDay(-5), end: isoDay(25) },
      ],
      area: { type: 'Polygon', coordinates: [[[12.6871, 50.5432], [12.6912, 50.5432], [12.6912, 50.5461], [12.6871, 50.5461], [12.6871, 50.5432]]] },
      documents: [{ title: 'Planzeichnung (Entwurf)', url: 'https://demostadt.example/bplan12/planzeichnung.pdf', mimeType: 'application/pdf' }],
      participationUrl: 'https://demostadt.example/beteiligung/bplan12',
    },
    {
      title: 'Flächennutzungsplan, 3. Änderung',
      family: 'bauleitplanung',
      planKind: 'flaechennutzungsplan',
      phases: [
        { kind: 'fruehzeitige_beteiligung', audience: 'oeffentlichkeit', durchgang: 1, start: isoDay(14), end: isoDay(45) },
      ],
    },
    {
      title: 'Mängelmelder Demostadt',
      description: 'Schäden an Straßen, Wegen und Spielplätzen melden.',
      family: 'informell',
      planKind: 'meldeverfahren',
      phases: [{ kind: 'beteiligung', audience: 'oeffentlichkeit', durchgang: 1, start: isoDay(-365), end: null }],
    },
  ];
}

/** The hashes of the well-known demo secrets: how their rows are found (only hashes are stored). */
export const DEMO_KEY_HASHES: readonly string[] = DEMO_KEYS.map((k) => hashApiKey(k.key));

/**
 * Creates the demo tenant, its keys and sample procedures unless the tenant exists already; then makes
 * sure every demo key is valid again (a start with the demo off revoked them, see revokeDemoKeys).
 */
export async function seedDemo(store: Store): Promise<{ tenantCreated: boolean; keysRestored: number }> {
  if (!(await store.tenants.get(DEMO_TENANT.id))) {
    await store.tenants.create(DEMO_TENANT);
    for (const k of DEMO_KEYS) await store.apiKeys.create(DEMO_TENANT.id, k.label, k.scopes, hashApiKey(k.key));
    for (const p of sampleProcedures()) await store.procedures.create(DEMO_TENANT.id, p);
    return { tenantCreated: true, keysRestored: 0 };
  }
  let keysRestored = 0;
  for (const k of DEMO_KEYS) {
    const hash = hashApiKey(k.key);
    if (await store.apiKeys.reinstateByHash(hash)) keysRestored++;
    else if (!(await store.apiKeys.findByHash(hash))) {
      await store.apiKeys.create(DEMO_TENANT.id, k.label, k.scopes, hash);
      keysRestored++;
    }
  }
  return { tenantCreated: false, keysRestored };
}

/**
 * Revokes every key whose secret is a well-known demo secret (found by hash; keys an operator created
 * for the demo tenant stay). Their secrets are published in the README, so they must not outlive the
 * demo mode. Returns how many were revoked.
 */
export async function revokeDemoKeys(store: Store): Promise<number> {
  return store.apiKeys.revokeByHash([...DEMO_KEY_HASHES]);
}
