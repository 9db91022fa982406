// The DCAT-AP 3.0 recommended properties the building blocks fill from the gateway's data: the
// centroid of a procedure's area, the portal's own contact as the fallback contact point, the
// catalogue's issued date and country, the data services' themes, keywords and contact.
import assert from 'node:assert/strict';
import type { Procedure, Tenant } from '../../src/core/model.ts';
import { Graph, catalogNode, centroidOf, dataServices, operatorAgent, procedureDataset } from '../../src/dcat/build.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { fileKindOf, terms } from '../../src/dcat/vocab.ts';
import request from 'supertest';
import { ADMIN_TOKEN, createTestGateway } from '../helpers/gateway.ts';
import { objects, parseTurtle } from '../helpers/rdf.ts';

const DCAT = 'http://www.w3.org/ns/dcat#';
const DCT = 'http://purl.org/dc/terms/';
const VCARD = 'http://www.w3.org/2006/vcard/ns#';
const base = 'https://portal.example';
const procedure = {
  id: 'p1', tenant: 'dorf', title: 'Bürgerdialog Dorfplatz', family: 'informell', planKind: 'dialog', phases: [], externalIds: [], status: 'Aktiv',
  created: '2026-01-01T00:00:00.000Z', modified: '2026-01-02T00:00:00.000Z',
} as unknown as Procedure;
const portalContact = { name: 'Servicestelle Beteiligungsportal', email: 'service@portal.example', url: 'https://portal.example/kontakt' };

describe('dcat/recommended: DCAT-AP 3.0 recommended properties from the gateway’s data', () => {
  it('centroid of an area: area-weighted over an L-shaped polygon, a hole subtracts whatever the ring orientation, lines and points', () => {
    // an L of three unit squares: (0..2)x(0..1) and (0..1)x(1..2) → centroid (5/6, 5/6)
    const [x, y] = centroidOf({ type: 'Polygon', coordinates: [[[0, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 0]]] })!;
    assert.ok(Math.abs(x - 5 / 6) < 1e-12 && Math.abs(y - 5 / 6) < 1e-12, `${x} ${y}`);
    // a 4x4 square with a 1x1 hole at its right-bottom corner region, both rings clockwise
    const [hx, hy] = centroidOf({ type: 'Polygon', coordinates: [[[0, 0], [0, 4], [4, 4], [4, 0], [0, 0]], [[2, 1], [2, 2], [3, 2], [3, 1], [2, 1]]] })!;
    assert.ok(Math.abs(hx - (16 * 2 - 2.5) / 15) < 1e-12 && Math.abs(hy - (16 * 2 - 1.5) / 15) < 1e-12, `${hx} ${hy}`);
    // two polygons of different size: weighted by area
    assert.deepEqual(centroidOf({ type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]], [[[10, 0], [13, 0], [13, 3], [10, 3], [10, 0]]]] }), [(0.5 * 1 + 11.5 * 9) / 10, (0.5 * 1 + 1.5 * 9) / 10]);
    assert.deepEqual(centroidOf({ type: 'LineString', coordinates: [[0, 0], [2, 0], [2, 1]] }), [(1 * 2 + 2 * 1) / 3, (0 * 2 + 0.5 * 1) / 3]);
    assert.deepEqual(centroidOf({ type: 'Point', coordinates: [13.4, 50.7] }), [13.4, 50.7]);
    assert.equal(centroidOf(null), null);
  });

  it("a procedure's area location has dcat:bbox and dcat:centroid; the municipality key gets the tenant's territory when the tenant has that one key only", () => {
    const area = { type: 'Polygon', coordinates: [[[13.42, 50.71], [13.43, 50.71], [13.43, 50.72], [13.42, 50.72], [13.42, 50.71]]] };
    const territory = { type: 'Polygon', coordinates: [[[13.3, 50.6], [13.5, 50.6], [13.5, 50.8], [13.3, 50.8], [13.3, 50.6]]] };
    const g = new Graph();
    procedureDataset(g, { ...procedure, area } as Procedure, { id: 'dorf', name: 'Dorf', ags: ['14521570'], area: territory } as Tenant, { exportable: false }, { base, profile: 'dcat-ap-de-3.0' });
    const key = 'http://dcat-ap.de/def/politicalGeocoding/municipalityKey/14521570';
    assert.deepEqual(objects(g.quads, key, `${DCAT}centroid`), ['POINT(13.4 50.7)']);
    const location = objects(g.quads, `${base}/dcat/datasets/p1`, `${DCT}spatial`).find((s) => s !== key)!;
    assert.deepEqual(objects(g.quads, location, `${DCAT}centroid`), ['POINT(13.425 50.715)']);
    // a tenant of several municipalities: its territory is not this one municipality's
    const several = new Graph();
    procedureDataset(several, { ...procedure, area } as Procedure, { id: 'vg', name: 'VG', ags: ['14521570', '14521590'], area: territory } as Tenant, { exportable: false }, { base, profile: 'dcat-ap-de-3.0' });
    assert.deepEqual(objects(several.quads, key, `${DCAT}centroid`), []);
  });

  it("a dataset of a tenant without contact gets the portal's own contact point when one is configured, and none otherwise", () => {
    const tenant = { id: 'dorf', name: 'Gemeinde Dorf' } as Tenant;
    const g = new Graph();
    procedureDataset(g, procedure, tenant, { exportable: false }, { base, profile: 'dcat-ap-de-3.0', portalContact });
    const [contact] = objects(g.quads, `${base}/dcat/datasets/p1`, `${DCAT}contactPoint`);
    assert.ok(contact);
    assert.deepEqual(objects(g.quads, contact, `${VCARD}hasEmail`), ['mailto:service@portal.example']);
    assert.deepEqual(objects(g.quads, contact, `${VCARD}fn`), ['Servicestelle Beteiligungsportal']);
    const without = new Graph();
    procedureDataset(without, procedure, tenant, { exportable: false }, { base, profile: 'dcat-ap-de-3.0' });
    assert.deepEqual(objects(without.quads, `${base}/dcat/datasets/p1`, `${DCAT}contactPoint`), []);
    // the tenant's own contact comes first
    const own = new Graph();
    procedureDataset(own, procedure, { ...tenant, contact: { email: 'amt@dorf.example' } }, { exportable: false }, { base, profile: 'dcat-ap-de-3.0', portalContact });
    assert.deepEqual(objects(own.quads, objects(own.quads, `${base}/dcat/datasets/p1`, `${DCAT}contactPoint`)[0]!, `${VCARD}hasEmail`), ['mailto:amt@dorf.example']);
  });

  it('the catalogue has dct:issued when known and Germany (bbox, centroid) as dct:spatial; the data services themes, keywords and the portal contact', () => {
    const g = new Graph();
    const catalog = terms.namedNode(`${base}/dcat/catalog`);
    const operator = operatorAgent(g, base);
    const ctx = { base, profile: 'dcat-ap-de-3.0' as const, portalContact };
    catalogNode(g, catalog, operator, 'Katalog', ctx, '2026-02-01T00:00:00.000Z', '2024-05-01T08:00:00.000Z');
    dataServices(g, catalog, operator, ctx);
    assert.deepEqual(objects(g.quads, catalog.value, `${DCT}issued`), ['2024-05-01T08:00:00.000Z']);
    const country = 'http://publications.europa.eu/resource/authority/country/DEU';
    assert.deepEqual(objects(g.quads, catalog.value, `${DCT}spatial`), [country]);
    assert.deepEqual(objects(g.quads, country, `${DCAT}centroid`), ['POINT(10.4477 51.1634)']);
    for (const service of objects(g.quads, catalog.value, `${DCAT}service`)) {
      assert.ok(objects(g.quads, service, `${DCAT}theme`).length >= 1, service);
      assert.ok(objects(g.quads, service, `${DCAT}keyword`).length >= 1, service);
      assert.equal(objects(g.quads, objects(g.quads, service, `${DCAT}contactPoint`)[0]!, `${VCARD}hasEmail`)[0], 'mailto:service@portal.example');
    }
  });

  it('file kinds: a declared type the table knows wins, aliases and parameters are understood, else the extension, else OCTET keeping the declared type', () => {
    assert.deepEqual(fileKindOf('image/tiff', 'https://x.example/a'), { mediaType: 'image/tiff', fileType: 'TIFF', label: 'TIFF-Rasterbild' });
    assert.equal(fileKindOf('image/jpg').fileType, 'JPEG');
    assert.equal(fileKindOf('application/zip; charset=binary').fileType, 'ZIP');
    assert.equal(fileKindOf(undefined, 'https://x.example/Plan.TIFF?v=2').fileType, 'TIFF');
    assert.equal(fileKindOf('application/octet-stream', 'https://x.example/b.odt').mediaType, 'application/vnd.oasis.opendocument.text');
    assert.deepEqual(fileKindOf('application/vnd.dxf', 'https://x.example/plan.dxf'), { mediaType: 'application/vnd.dxf', fileType: 'OCTET', label: 'Datei' });
    assert.deepEqual(fileKindOf(undefined, 'not a url'), { mediaType: 'application/octet-stream', fileType: 'OCTET', label: 'Datei' });
  });
});

describe('dcat/recommended: the portal contact option', () => {
  it('GATEWAY_PORTAL_CONTACT_* make the contact when an e-mail or URL is set; a malformed one stops the start naming the variable', () => {
    assert.deepEqual(loadConfig({ GATEWAY_DEMO: 'true', GATEWAY_PORTAL_CONTACT_NAME: 'Servicestelle', GATEWAY_PORTAL_CONTACT_EMAIL: 'service@portal.example' }).portalContact, { name: 'Servicestelle', email: 'service@portal.example' });
    assert.equal(loadConfig({ GATEWAY_DEMO: 'true', GATEWAY_PORTAL_CONTACT_NAME: 'Servicestelle' }).portalContact, undefined, 'a name alone reaches no one');
    assert.throws(() => loadConfig({ GATEWAY_DEMO: 'true', GATEWAY_PORTAL_CONTACT_EMAIL: 'Servicestelle im Rathaus' }), (e: Error) => e instanceof ConfigError && /GATEWAY_PORTAL_CONTACT_EMAIL must match pattern/.test(e.message));
    assert.throws(() => loadConfig({ GATEWAY_DEMO: 'true', GATEWAY_PORTAL_CONTACT_URL: 'portal.example/kontakt' }), (e: Error) => e instanceof ConfigError && /GATEWAY_PORTAL_CONTACT_URL/.test(e.message));
  });
});

describe('dcat/recommended: process steps', () => {
  it('a resolution step without end date ends the day it starts; a participation without one stays open', () => {
    const g = new Graph();
    const phases = [
      { kind: 'aufstellungsbeschluss', audience: 'intern', durchgang: 1, start: '2026-01-10', end: null },
      { kind: 'veroeffentlichung', audience: 'oeffentlichkeit', durchgang: 1, start: '2026-03-01', end: null },
    ];
    procedureDataset(g, { ...procedure, family: 'bauleitplanung', planKind: 'bebauungsplan', phases } as unknown as Procedure, { id: 'dorf', name: 'Dorf' } as Tenant, { exportable: false }, { base, profile: 'dcat-ap-de-3.0' });
    const endOf = (step: number) => objects(g.quads, objects(g.quads, `${base}/dcat/datasets/p1#step-${step}`, `${DCT}temporal`)[0]!, `${DCAT}endDate`);
    assert.deepEqual(endOf(1), ['2026-01-10']);
    assert.deepEqual(endOf(2), []);
  });
});

describe('dcat/recommended: the portal contact reaches the served feed', function () {
  this.timeout(120_000);
  const TENANT = { id: 'olbernhau', name: 'Stadt Olbernhau', kind: 'gemeinde', ags: ['14521450'], contributorId: 'http://dcat-ap.de/def/contributors/freistaatSachsen', licence: 'http://dcat-ap.de/def/licenses/dl-by-de/2.0' };
  const served = async (env: Record<string, string>) => {
    // feed workers on (the default): the page is rendered in another thread from the SQLite file
    const gw = await createTestGateway(env);
    try {
      await request(gw.app).post('/admin/v1/tenants').set({ Authorization: `Bearer ${ADMIN_TOKEN}` }).send(TENANT).expect(201);
      const key = await gw.key('olbernhau', ['procedures:write']);
      const id = (await request(gw.app).post('/api/v1/tenants/olbernhau/procedures').set({ Authorization: `Bearer ${key}` })
        .send({ title: 'Bebauungsplan Am Markt', family: 'bauleitplanung', planKind: 'bebauungsplan', phases: [{ kind: 'veroeffentlichung', audience: 'oeffentlichkeit', start: '2026-03-01', end: '2026-03-31' }] }).expect(201)).body.id as string;
      const page = parseTurtle((await request(gw.app).get('/dcat/catalog.ttl').expect(200)).text);
      const single = parseTurtle((await request(gw.app).get(`/dcat/datasets/${id}.ttl`).expect(200)).text);
      const emails = (quads: typeof page) => objects(quads, `http://gateway.test/dcat/datasets/${id}`, `${DCAT}contactPoint`).flatMap((c) => objects(quads, c, 'http://www.w3.org/2006/vcard/ns#hasEmail'));
      return { page: emails(page), single: emails(single) };
    } finally {
      await gw.close();
    }
  };

  it('a tenant without a contact: the dataset names the configured portal contact, in a worker-rendered page and the single dataset; none without the configuration', async () => {
    assert.deepEqual(await served({ GATEWAY_PORTAL_CONTACT_NAME: 'Servicestelle', GATEWAY_PORTAL_CONTACT_EMAIL: 'service@portal.example' }), { page: ['mailto:service@portal.example'], single: ['mailto:service@portal.example'] });
    assert.deepEqual(await served({}), { page: [], single: [] });
  });
});
