// The public lists (requests in XML, JSON, CSV and GeoJSON; servicerequestupdates) written a slice
// at a time. A page holds up to 1000 reports, in the worst case 50 MB of XML (100 MB with
// extensions=true); written in one go it held the event loop for seconds, and every other request
// waited. Here rows are read in batches and the document is written in slices of about a megabyte,
// with a turn of the event loop after each; the bytes are the same as writing it in one go
// (format.ts's listFrame), and the answer stays one body (ETag, compression, replay).
import { createHash } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import type { Open311Service, ServiceRequestQuery, ServiceRequestRepository } from '../core/storage/service-request-repository.ts';
import type { Representation } from '../http/representation.ts';
import { CONTENT_TYPE, listFrame, type Format, type ListFrame, type Value } from './format.ts';
import { publicRequest, requestUpdate } from './view.ts';

export type ListFormat = Format | 'csv' | 'geojson';

/** Rows per synchronous read (100 worst-case reports are about 2.4 MB of text). */
const BATCH_ROWS = 100;
/** Characters written per turn of the event loop (a worst-case report with extensions is about 165 KB of XML). */
const SLICE_CHARS = 1 << 18;
/** Bytes copied into the body per turn. */
const COPY_SLICE_BYTES = 4 << 20;

/** CSV rows per call of the CSV writer (a worst-case row is about 8.6 KB). */
const CSV_ROWS = 25;

const CSV_COLUMNS = ['service_request_id', 'status', 'status_notes', 'service_code', 'service_name', 'description', 'requested_datetime', 'updated_datetime', 'address', 'lat', 'long', 'media_url'];

/** Thrown when the client has gone while its list was being written: nothing is left to answer. */
export class Abandoned extends Error {}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** String cells a spreadsheet would run as a formula get a leading quote (OWASP "CSV injection"); numbers stay numbers. */
function csvCell(value: unknown): unknown {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/**
 * A document collected as bytes, a slice at a time: each slice is encoded and hashed when full, then
 * the event loop runs. `stillWanted` is asked after each turn: a client that has gone has also given
 * back its place in the ClientGate, so its render must not go on.
 */
class SlicedDocument {
  private parts: string[] = [];
  private chars = 0;
  private readonly chunks: Buffer[] = [];
  private readonly hash = createHash('sha1');
  private bytes = 0;

  constructor(private readonly stillWanted: () => boolean) {}

  async write(text: string): Promise<void> {
    this.parts.push(text);
    this.chars += text.length;
    if (this.chars >= SLICE_CHARS) {
      this.flush();
      await this.pause();
    }
  }

  private async pause(): Promise<void> {
    await nextTurn();
    if (!this.stillWanted()) throw new Abandoned('the client has gone');
  }

  private flush(): void {
    if (!this.parts.length) return;
    const chunk = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.chars = 0;
    this.hash.update(chunk);
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /** The representation: the same ETag as representation() makes (sha1 of the body), hashed as it was written. */
  async finish(contentType: string): Promise<Representation> {
    this.flush();
    let body: Buffer;
    if (this.chunks.length === 1) body = this.chunks[0]!;
    else {
      // copied in slices too (one Buffer.concat of 100 MB took about 100 ms)
      body = Buffer.allocUnsafe(this.bytes);
      let at = 0;
      let since = 0;
      for (const chunk of this.chunks.splice(0)) {
        at += chunk.copy(body, at);
        since += chunk.length;
        if (since >= COPY_SLICE_BYTES) { since = 0; await this.pause(); }
      }
    }
    return { contentType, body, etag: `"${this.hash.digest('base64url')}"` };
  }

  /**
   * Writes `batches` in `frame` (open, items with separators, close; or empty), rendering each item
   * only when it is written (a batch of 100 worst-case reports rendered at once held the loop 140 ms).
   */
  async writeItems<T>(frame: Omit<ListFrame, 'item'>, batches: AsyncIterable<T[]>, render: (item: T) => string | undefined): Promise<void> {
    let first = true;
    for await (const batch of batches) {
      for (const value of batch) {
        const item = render(value);
        if (item === undefined) continue;
        await this.write((first ? frame.open : frame.separator) + item);
        first = false;
      }
    }
    await this.write(first ? frame.empty : frame.close);
  }
}

/** The public report list `q` in `format` (CSV and GeoJSON without extensions, as the open-data feed). */
export async function requestList(
  repo: ServiceRequestRepository, q: ServiceRequestQuery, services: Map<string, Open311Service>, format: ListFormat, extensions: boolean, stillWanted: () => boolean,
): Promise<Representation> {
  const doc = new SlicedDocument(stillWanted);
  const withExtensions = extensions && (format === 'xml' || format === 'json');
  async function* reports() {
    for await (const batch of repo.listBatches(q, BATCH_ROWS)) {
      const histories = withExtensions ? await repo.histories(q.tenant, batch.map((r) => r.service_request_id)) : undefined;
      yield batch.map((r) => publicRequest(r, services.get(r.service_code), withExtensions, histories?.get(r.service_request_id) ?? []));
    }
  }
  if (format === 'csv') {
    let header = true;
    for await (const rows of reports()) {
      // at most about 8.6 KB a row: CSV_ROWS rows are one slice
      for (let i = 0; i < rows.length; i += CSV_ROWS) {
        await doc.write(stringify(rows.slice(i, i + CSV_ROWS).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, csvCell(v)]))), { header, columns: CSV_COLUMNS }));
        header = false;
      }
    }
    if (header) await doc.write(stringify([], { header, columns: CSV_COLUMNS }));
    return doc.finish('text/csv; charset=utf-8');
  }
  if (format === 'geojson') {
    const open = '{"type":"FeatureCollection","features":[';
    await doc.writeItems({ open, separator: ',', close: ']}', empty: `${open}]}` }, reports(), (r) => (r.lat === null || r.long === null
      ? undefined
      : JSON.stringify({ type: 'Feature', id: r.service_request_id, geometry: { type: 'Point', coordinates: [r.long, r.lat] }, properties: { ...r, lat: undefined, long: undefined } })));
    return doc.finish('application/geo+json; charset=utf-8');
  }
  const frame = listFrame(format, 'service_requests');
  await doc.writeItems(frame, reports(), (r) => frame.item(r as Value));
  return doc.finish(CONTENT_TYPE[format]);
}

/** servicerequestupdates (FixMyStreet's extension) in `format`. */
export async function updateList(
  repo: ServiceRequestRepository, tenant: string, q: { from?: string; to?: string; ids?: string[]; limit: number }, format: Format, stillWanted: () => boolean,
): Promise<Representation> {
  const doc = new SlicedDocument(stillWanted);
  const frame = listFrame(format, 'service_request_updates');
  await doc.writeItems(frame, repo.updateBatches(tenant, q, BATCH_ROWS), (u) => frame.item(requestUpdate(u)));
  return doc.finish(CONTENT_TYPE[format]);
}
