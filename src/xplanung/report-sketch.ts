// The location sketch (Lageskizze) of the report page: the plans' Geltungsbereiche and every finding
// with a marker (overlaps, gaps, parts outside, invalid areas), drawn as inline SVG in the plan's CRS,
// numbered as in the findings table. A coordinate in a message tells a planner little; a drawing and a
// link to the spot on a map tell where to look. Plain functions over the report; no network.
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { fromWkt } from '../core/geo/jts.ts';
import type { Envelope, Geometry, Polygon } from '../core/geo/jts.ts';
import { epsgCode, isSupportedCrs, latitudeFirst, PROJECTED, toWgs84 } from './crs.ts';
import { germanCount } from './german-number.ts';
import type { Finding, ValidationReport } from './report.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Sizes in pixels; a long, narrow plan still gets room for its pins above and below it. */
const OVERVIEW = { width: 640, minHeight: 240, maxHeight: 480, pad: 16 };
const DETAIL = { width: 240, minHeight: 80, maxHeight: 160, pad: 10 };
/** A detail shows at least 2 m (about as much in degrees in a geographic CRS): a sliver of a millimetre is drawn within its surroundings. */
const DETAIL_MIN_SPAN = { metric: 2, degrees: 2e-5 };

/** A finding with a location to draw: its number in the table, its marker and a point inside it. */
export interface PlacedFinding { number: number; finding: Finding; marker: Geometry; at: [number, number] }

export interface Sketch {
  placed: PlacedFinding[];
  /** All findings of the report, located or not: the caption says when none of them could be drawn. */
  findings: number;
  outlines: Geometry[];
  /** Metres per unit is 1 (a projected CRS): a scale bar can be drawn. */
  metric: boolean;
  /** [lon, lat] of a point in the plan's CRS, when the CRS is one proj4 knows here. */
  toLonLat?: (xy: [number, number]) => [number, number];
}

function readWkt(wkt: string | undefined, swap: boolean): Geometry | undefined {
  if (!wkt) return undefined;
  try {
    const g = fromWkt(wkt);
    if (g.isEmpty()) return undefined;
    // a geographic CRS in urn form is latitude first: draw with east to the right
    if (swap) for (const c of g.getCoordinates()) [c.x, c.y] = [c.y, c.x];
    return g;
  } catch {
    return undefined; // a marker the sketch cannot read is still in the table
  }
}

/** What the page can draw of a report: nothing when no finding has a marker and no plan an outline. */
export function sketchOf(report: ValidationReport): Sketch | undefined {
  const srsName = report.plans.find((p) => p.srsName)?.srsName;
  const code = epsgCode(srsName);
  const swap = latitudeFirst(srsName);
  const outlines = report.plans.map((p) => readWkt(p.outline, swap)).filter((g): g is Geometry => g !== undefined);
  const placed: PlacedFinding[] = [];
  report.findings.forEach((finding, i) => {
    const marker = readWkt(finding.marker, swap);
    if (!marker) return;
    const c = marker.getInteriorPoint().getCoordinate() ?? marker.getCoordinate();
    if (c) placed.push({ number: i + 1, finding, marker, at: [c.x, c.y] });
  });
  if (placed.length === 0 && outlines.length === 0) return undefined;
  const convert = isSupportedCrs(code) ? toWgs84(code) : undefined;
  return {
    placed,
    findings: report.findings.length,
    outlines,
    metric: code !== undefined && PROJECTED.has(code),
    ...(convert ? { toLonLat: (xy: [number, number]) => convert(xy) } : {}),
  };
}

/** Plan coordinates → SVG pixels (y down), fitting a box into a width and at most a height. */
class View {
  readonly width: number;
  readonly height: number;
  private readonly scale: number;
  private readonly x0: number;
  private readonly y0: number;

  constructor(readonly box: { minX: number; minY: number; maxX: number; maxY: number }, size: { width: number; minHeight: number; maxHeight: number; pad: number }) {
    const dx = Math.max(box.maxX - box.minX, 1e-9);
    const dy = Math.max(box.maxY - box.minY, 1e-9);
    const inner = size.width - 2 * size.pad;
    this.scale = Math.min(inner / dx, (size.maxHeight - 2 * size.pad) / dy);
    this.width = size.width;
    this.height = Math.max(Math.round(dy * this.scale + 2 * size.pad), size.minHeight);
    this.x0 = box.minX - (size.width / this.scale - dx) / 2;
    this.y0 = box.maxY + (this.height / this.scale - dy) / 2;
  }

  /** Pixels per plan unit. */
  get unitPixels(): number { return this.scale; }

  px(x: number): number { return (x - this.x0) * this.scale; }
  py(y: number): number { return (this.y0 - y) * this.scale; }
  x(x: number): string { return this.px(x).toFixed(1); }
  y(y: number): string { return this.py(y).toFixed(1); }

  /**
   * Path data of only those edges of the geometry's rings that touch `box`: a whole Geltungsbereich in
   * every finding's detail would bloat the page, and the SVG viewport clips what reaches beyond.
   */
  edgesWithin(g: Geometry, box: { minX: number; minY: number; maxX: number; maxY: number }): string {
    const parts: string[] = [];
    for (const ring of ringsOf(g)) {
      let open = false;
      for (let i = 1; i < ring.length; i++) {
        const a = ring[i - 1]!;
        const b = ring[i]!;
        const touches = Math.max(a.x, b.x) >= box.minX && Math.min(a.x, b.x) <= box.maxX && Math.max(a.y, b.y) >= box.minY && Math.min(a.y, b.y) <= box.maxY;
        if (!touches) { open = false; continue; }
        if (!open) parts.push(`M${this.x(a.x)} ${this.y(a.y)}`);
        parts.push(`L${this.x(b.x)} ${this.y(b.y)}`);
        open = true;
      }
    }
    return parts.join('');
  }

  /** SVG path data of the geometry's rings (closed) and lines (the path micro-syntax, not XML). */
  path(g: Geometry): string {
    return ringsOf(g).map((cs) => {
      if (cs.length === 0) return '';
      const closed = cs.length > 3 && cs[0]!.x === cs[cs.length - 1]!.x && cs[0]!.y === cs[cs.length - 1]!.y;
      return cs.map((c, i) => `${i === 0 ? 'M' : 'L'}${this.x(c.x)} ${this.y(c.y)}`).join('') + (closed ? 'Z' : '');
    }).join('');
  }
}

function ringsOf(g: Geometry): Array<Array<{ x: number; y: number }>> {
  const type = g.getGeometryType();
  if (type === 'Polygon') {
    const p = g as Polygon;
    return [p.getExteriorRing().getCoordinates(), ...Array.from({ length: p.getNumInteriorRing() }, (_, i) => p.getInteriorRingN(i).getCoordinates())];
  }
  if (type === 'LineString' || type === 'LinearRing') return [g.getCoordinates()];
  if (type === 'Point') return [];
  return Array.from({ length: g.getNumGeometries() }, (_, i) => ringsOf(g.getGeometryN(i))).flat();
}

function boxOf(envelopes: Envelope[]): { minX: number; minY: number; maxX: number; maxY: number } {
  return {
    minX: Math.min(...envelopes.map((e) => e.getMinX())),
    minY: Math.min(...envelopes.map((e) => e.getMinY())),
    maxX: Math.max(...envelopes.map((e) => e.getMaxX())),
    maxY: Math.max(...envelopes.map((e) => e.getMaxY())),
  };
}

/** A length of 1, 2 or 5 × 10^k units, at most `max`, and how to say it in German. */
export function scaleBarLength(max: number): { length: number; label: string } {
  const k = Math.floor(Math.log10(max));
  const base = 10 ** k;
  const length = [5, 2, 1].map((m) => m * base).find((l) => l <= max) ?? base;
  const label = length >= 1000 ? `${length / 1000} km` : length >= 1 ? `${length} m` : length >= 0.01 ? `${Math.round(length * 100)} cm` : `${Math.round(length * 1000)} mm`;
  return { length, label: label.replace('.', ',') };
}

/** `role`: 'group' for a drawing with links in it (an image may hold nothing interactive), else 'img'. */
function svgRoot(parent: XMLBuilder, view: View, label: string, role: 'img' | 'group', id?: string): XMLBuilder {
  const svg = parent.ele(SVG_NS, 'svg', {
    ...(id ? { id } : {}),
    viewBox: `0 0 ${view.width} ${view.height}`,
    width: String(view.width),
    height: String(view.height),
    role,
    'aria-label': label,
  });
  svg.ele(SVG_NS, 'rect', { class: 'sketch-bg', x: '0', y: '0', width: String(view.width), height: String(view.height) });
  return svg;
}

function scaleBar(svg: XMLBuilder, view: View): void {
  const { length, label } = scaleBarLength((view.width / 4) / view.unitPixels);
  const px = length * view.unitPixels;
  const y = view.height - 10;
  const bar = svg.ele(SVG_NS, 'g', { class: 'scale-bar' });
  bar.ele(SVG_NS, 'path', { d: `M10 ${y - 5}V${y}H${(10 + px).toFixed(1)}V${y - 5}` });
  bar.ele(SVG_NS, 'text', { x: (14 + px).toFixed(1), y: String(y) }).txt(label);
}

const SEVERITY = { error: 'Fehler', warning: 'Warnung' } as const;
const PIN_RADIUS = 9;

/**
 * Where a pin goes: on its spot when free, otherwise on the first free place of rings around it
 * (findings often cluster: the gaps beside an overlap), so that every number stays readable.
 * When all are taken the pin stays on its spot.
 */
export function pinPosition(spot: [number, number], taken: Array<[number, number]>, view: { width: number; height: number }): [number, number] {
  const free = ([x, y]: [number, number]) =>
    x >= PIN_RADIUS && y >= PIN_RADIUS && x <= view.width - PIN_RADIUS && y <= view.height - PIN_RADIUS &&
    taken.every(([tx, ty]) => (tx - x) ** 2 + (ty - y) ** 2 >= (2 * PIN_RADIUS + 1) ** 2);
  if (free(spot)) return spot;
  for (const ring of [1, 2, 3, 4]) {
    const r = ring * (2 * PIN_RADIUS + 4);
    const steps = 8 * ring;
    for (let k = 0; k < steps; k++) {
      const angle = -Math.PI / 2 + (2 * Math.PI * k) / steps;
      const candidate: [number, number] = [spot[0] + r * Math.cos(angle), spot[1] + r * Math.sin(angle)];
      if (free(candidate)) return candidate;
    }
  }
  return spot;
}

/** The overview: every outline and every marker, with a numbered pin linking to the table row. */
export function appendOverview(parent: XMLBuilder, sketch: Sketch): void {
  const box = boxOf([...sketch.outlines, ...sketch.placed.map((p) => p.marker)].map((g) => g.getEnvelopeInternal()));
  const view = new View(box, OVERVIEW);
  const figure = parent.ele('figure', { id: 'lageskizze' });
  // without pins the drawing holds no links: an image, not a group
  const svg = sketch.placed.length > 0
    ? svgRoot(figure, view, 'Lageskizze des Geltungsbereichs mit den Befunden', 'group', 'lageskizze-karte')
    : svgRoot(figure, view, 'Lageskizze des Geltungsbereichs', 'img', 'lageskizze-karte');
  for (const g of sketch.outlines) svg.ele(SVG_NS, 'path', { class: 'outline', d: view.path(g) });
  for (const p of sketch.placed) {
    const d = view.path(p.marker);
    if (d) svg.ele(SVG_NS, 'path', { class: `marker ${p.finding.severity}`, d });
  }
  const taken: Array<[number, number]> = [];
  for (const p of sketch.placed) {
    const spot: [number, number] = [view.px(p.at[0]), view.py(p.at[1])];
    const [x, y] = pinPosition(spot, taken, view);
    taken.push([x, y]);
    const pin = svg.ele(SVG_NS, 'a', { href: `#befund-${p.number}`, class: `pin ${p.finding.severity}`, 'data-befund': String(p.number) });
    pin.ele(SVG_NS, 'title').txt(`Befund ${p.number} (${SEVERITY[p.finding.severity]}): ${p.finding.message}`);
    if (x !== spot[0] || y !== spot[1]) {
      // moved aside from a pin already there: a leader line to the spot itself
      pin.ele(SVG_NS, 'path', { class: 'leader', d: `M${spot[0].toFixed(1)} ${spot[1].toFixed(1)}L${x.toFixed(1)} ${y.toFixed(1)}` });
      pin.ele(SVG_NS, 'circle', { class: 'foot', cx: spot[0].toFixed(1), cy: spot[1].toFixed(1), r: '2.5' });
    }
    pin.ele(SVG_NS, 'circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: String(PIN_RADIUS) });
    pin.ele(SVG_NS, 'text', { x: x.toFixed(1), y: y.toFixed(1), dy: '0.35em' }).txt(String(p.number));
  }
  if (sketch.metric) scaleBar(svg, view);
  figure.ele('figcaption').txt(overviewCaption(sketch));
}

/** The caption explains only what the drawing shows: the colours of the markers drawn, or that none is. */
export function overviewCaption(sketch: Sketch): string {
  const outlines = sketch.outlines.length === 0 ? '' : sketch.outlines.length === 1 ? 'der Geltungsbereich (blau)' : 'die Geltungsbereiche (blau)';
  if (sketch.placed.length === 0) {
    const why = sketch.findings === 0 ? 'Der Plan hat keine Befunde.' : 'Keiner der Befunde hat eine Ortsangabe; sie stehen nur in der Tabelle.';
    return `Lageskizze: ${outlines}. ${why}`;
  }
  const colours = [
    ...(sketch.placed.some((p) => p.finding.severity === 'error') ? ['rot Fehler'] : []),
    ...(sketch.placed.some((p) => p.finding.severity === 'warning') ? ['orange Warnungen'] : []),
  ].join(', ');
  const unlocated = sketch.findings - sketch.placed.length;
  return `Lageskizze: ${outlines ? `${outlines} und ` : ''}die Befunde mit Ortsangabe (${colours}), nummeriert wie in der Tabelle; ` +
    `ein Klick auf eine Nummer springt zum Befund.${unlocated > 0 ? ` ${unlocated === 1 ? 'Ein Befund hat' : `${germanCount(unlocated)} Befunde haben`} keine Ortsangabe und steh${unlocated === 1 ? 't' : 'en'} nur in der Tabelle.` : ''}`;
}

/** The finding's surroundings, zoomed in, with a scale bar and a link to the spot on OpenStreetMap. */
export function appendDetail(parent: XMLBuilder, sketch: Sketch, p: PlacedFinding): void {
  const e = p.marker.getEnvelopeInternal();
  const span = Math.max(e.getMaxX() - e.getMinX(), e.getMaxY() - e.getMinY(), (sketch.metric ? DETAIL_MIN_SPAN.metric : DETAIL_MIN_SPAN.degrees) / 3) * 1.5;
  const cx = (e.getMinX() + e.getMaxX()) / 2;
  const cy = (e.getMinY() + e.getMaxY()) / 2;
  const box = { minX: cx - span, minY: cy - span * 0.66, maxX: cx + span, maxY: cy + span * 0.66 };
  const view = new View(box, DETAIL);
  const where = parent.ele('div', { class: 'where' });
  const svg = svgRoot(where, view, `Ausschnitt um Befund ${p.number}`, 'img');
  const inFrame = (e: Envelope) => e.getMaxX() >= box.minX && e.getMinX() <= box.maxX && e.getMaxY() >= box.minY && e.getMinY() <= box.maxY;
  for (const g of sketch.outlines) {
    if (!inFrame(g.getEnvelopeInternal())) continue;
    const d = view.edgesWithin(g, box);
    if (d) svg.ele(SVG_NS, 'path', { class: 'outline-edge', d });
  }
  for (const other of sketch.placed) {
    if (other === p || !inFrame(other.marker.getEnvelopeInternal())) continue;
    const d = view.path(other.marker);
    if (d) svg.ele(SVG_NS, 'path', { class: `marker other ${other.finding.severity}`, d });
  }
  const d = view.path(p.marker);
  if (d) svg.ele(SVG_NS, 'path', { class: `marker ${p.finding.severity}`, d });
  svg.ele(SVG_NS, 'circle', { class: `spot ${p.finding.severity}`, cx: view.x(p.at[0]), cy: view.y(p.at[1]), r: '4' });
  if (sketch.metric) scaleBar(svg, view);
  if (sketch.toLonLat) {
    const [lon, lat] = sketch.toLonLat(p.at).map((n) => n.toFixed(6));
    where.ele('a', { class: 'osm', href: `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=19/${lat}/${lon}`, rel: 'noopener', target: '_blank' })
      .txt('In OpenStreetMap zeigen');
  }
}
