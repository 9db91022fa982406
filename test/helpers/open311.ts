// A tenant with a Mängelmelder: two categories (one moderated, with every attribute datatype) and keys.
import { XMLParser } from 'fast-xml-parser';
import request from 'supertest';
import type { TestGateway } from './gateway.ts';

export const SAYDA_AREA = { type: 'Polygon', coordinates: [[[13.35, 50.68], [13.48, 50.68], [13.48, 50.76], [13.35, 50.76], [13.35, 50.68]]] };

export const WEGWEISER = {
  service_code: 'wegweiser', service_name: 'Wegweiser beschädigt', description: 'Beschilderung an Wanderwegen', group: 'Wanderwege', keywords: ['wanderweg', 'schild'],
  attributes: [
    { code: 'hinweis', variable: false, datatype: 'text', description: 'Bitte keine Personen fotografieren.', order: 1 },
    { code: 'schaden', datatype: 'singlevaluelist', required: true, datatype_description: 'Art des Schadens', order: 2, description: 'Was ist kaputt?', values: [{ key: 'umgefallen', name: 'Umgefallen' }, { key: 'unleserlich', name: 'Unleserlich' }, { key: 'fehlt', name: 'Fehlt ganz' }] },
    { code: 'teile', datatype: 'multivaluelist', order: 3, description: 'Welche Teile?', values: [{ key: 'pfosten', name: 'Pfosten' }, { key: 'schild', name: 'Schild' }] },
    { code: 'anzahl', datatype: 'number', datatype_description: 'Anzahl der Schilder', order: 4, description: 'Wie viele?' },
    { code: 'bemerkt', datatype: 'datetime', order: 5, description: 'Wann bemerkt?' },
    { code: 'wegnummer', datatype: 'string', order: 6, description: 'Wegnummer' },
  ],
};
export const SCHLAGLOCH = { service_code: 'schlagloch', service_name: 'Schlagloch', description: 'Schäden an Straßen und Wegen', group: 'Straßen', keywords: ['straße', 'weg', 'loch'], moderated: false };

export interface Mangelmelder { submit: string; staff: string }

export async function setUpMangelmelder(gw: TestGateway, tenant = 'sayda'): Promise<Mangelmelder> {
  const staff = await gw.tenant(tenant, ['open311:manage', 'procedures:write'], { name: 'Stadt Sayda', area: SAYDA_AREA as never });
  const submit = await gw.key(tenant, ['open311:submit']);
  for (const s of [WEGWEISER, SCHLAGLOCH]) {
    await request(gw.app).post(`/api/v1/tenants/${tenant}/services`).set('Authorization', `Bearer ${staff}`).send(s).expect(201);
  }
  return { submit, staff };
}

/** XML as an ordered tree without whitespace-only text: compare documents by structure and text. */
export function xmlTree(xml: string): unknown {
  return new XMLParser({ preserveOrder: true, ignoreAttributes: false, trimValues: true, commentPropName: undefined, parseTagValue: false, ignoreDeclaration: false }).parse(xml);
}

export function xmlObject(xml: string): Record<string, unknown> {
  return new XMLParser({ ignoreAttributes: false, parseTagValue: false, isArray: (name) => ['service', 'request', 'error', 'attribute', 'value', 'request_update', 'endpoint', 'format', 'note', 'media_url'].includes(name) }).parse(xml) as Record<string, unknown>;
}
