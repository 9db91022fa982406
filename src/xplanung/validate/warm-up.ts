// A plan the gateway builds for itself and validates when a validation worker starts, so that V8 has
// compiled and optimised the tree, rule and geometry code before the first pushed plan arrives (the
// schema sets alone leave that code cold: the first 20 MB plan of a fresh worker took ~1.7× as long as
// its third). Built here rather than read from a file: the real plans in the fixtures are third-party
// documents the image does not ship.
//
// XPlanGML 6.0, valid against the XSD, with what the stages walk: two Bereiche of Flächenschluss objects
// on a grid (one with rounding slivers between neighbours and an object with a hole filled by another, one
// with a small overlap and a strip left open), and a building line per row; and a third Bereich where an
// area with a rounded corner (a gml:Arc) meets a neighbour that follows the arc as a polyline, as in many
// real plans: the two leave hair-thin overlaps and gaps along the arc, none reportable, and checking
// them walks the overlay and buffer code that real plans need (without it, that code was still cold when
// the first large plan came: its Bereich checks took 3–4× as long as in later runs; docs/xplanung.md).
import { create } from 'xmlbuilder2';

const NS = { xplan: 'http://www.xplanung.de/xplangml/6/0', gml: 'http://www.opengis.net/gml/3.2', xlink: 'http://www.w3.org/1999/xlink' };
const SRS = 'EPSG:25833';
const X0 = 375000, Y0 = 5611600, CELL = 10, ROWS = 8, COLUMNS = 6;
/** The third Bereich: its width, and the rounded corner's radius and the number of chords that follow it. */
const ARC_WIDTH = 30, RADIUS = 8, CHORDS = 90;

type Ring = Array<[number, number]>;
const posList = (ring: Ring) => ring.map(([x, y]) => `${(X0 + x).toFixed(4)} ${(Y0 + y).toFixed(4)}`).join(' ');
const box = (x0: number, y0: number, x1: number, y1: number): Ring => [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]];

/** A grid cell with a vertex in the middle of every edge, as neighbouring areas of a plan share them. */
function cell(i: number, j: number, nudge?: { edge: number; by: number }): Ring {
  const x = i * CELL, y = j * CELL, h = CELL / 2;
  const ring: Ring = [[x, y], [x + h, y], [x + CELL, y], [x + CELL, y + h], [x + CELL, y + CELL], [x + h, y + CELL], [x, y + CELL], [x, y + h]];
  if (nudge) {
    // move the middle vertex of one edge towards the cell's centre (a sliver) or away from it (an overlap)
    const k = 2 * nudge.edge + 1;
    const [mx, my] = ring[k]!;
    const cx = x + h, cy = y + h;
    const d = nudge.by / Math.hypot(cx - mx, cy - my);
    ring[k] = [mx + (cx - mx) * d, my + (cy - my) * d];
  }
  ring.push(ring[0]!);
  return ring;
}

/**
 * The warm-up plan as XPlanGML 6.0 (about 80 KB). `chords`: how many chords follow each arc where a
 * neighbour or the Geltungsbereich meets it (fewer leave wider, reportable slivers; the test uses that).
 */
export function warmUpPlan(chords = CHORDS): Buffer {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.xplan, 'xplan:XPlanAuszug').att('xmlns:gml', NS.gml).att('xmlns:xlink', NS.xlink).att(NS.gml, 'gml:id', 'GML_warmup');
  const width = 2 * COLUMNS * CELL + ARC_WIDTH, height = ROWS * CELL;
  root.ele(NS.gml, 'gml:boundedBy').ele(NS.gml, 'gml:Envelope').att('srsName', SRS)
    .ele(NS.gml, 'gml:lowerCorner').txt(`${X0} ${Y0}`).up().ele(NS.gml, 'gml:upperCorner').txt(`${X0 + width} ${Y0 + height}`);
  let ids = 0;
  const polygon = (parent: ReturnType<typeof root.ele>, rings: Ring[]) => {
    const p = parent.ele(NS.gml, 'gml:Polygon').att(NS.gml, 'gml:id', `GML_warmup_g${ids++}`).att('srsName', SRS);
    p.ele(NS.gml, 'gml:exterior').ele(NS.gml, 'gml:LinearRing').ele(NS.gml, 'gml:posList').txt(posList(rings[0]!));
    for (const hole of rings.slice(1)) p.ele(NS.gml, 'gml:interior').ele(NS.gml, 'gml:LinearRing').ele(NS.gml, 'gml:posList').txt(posList(hole));
  };

  const plan = root.ele(NS.gml, 'gml:featureMember').ele(NS.xplan, 'xplan:BP_Plan').att(NS.gml, 'gml:id', 'GML_warmup_plan');
  plan.ele(NS.xplan, 'xplan:name').txt('Warm-up');
  polygon(plan.ele(NS.xplan, 'xplan:raeumlicherGeltungsbereich'), [box(0, 0, width, height)]);
  plan.ele(NS.xplan, 'xplan:gemeinde').ele(NS.xplan, 'xplan:XP_Gemeinde').ele(NS.xplan, 'xplan:ags').txt('14522530').up().ele(NS.xplan, 'xplan:gemeindeName').txt('Demostadt');
  plan.ele(NS.xplan, 'xplan:planArt').txt('1000');
  for (const b of [0, 1, 2]) plan.ele(NS.xplan, 'xplan:bereich').att(NS.xlink, 'xlink:href', `#GML_warmup_bereich${b}`);

  const feature = (type: string, id: string) => root.ele(NS.gml, 'gml:featureMember').ele(NS.xplan, `xplan:${type}`).att(NS.gml, 'gml:id', id);
  const area = (id: string, b: number, rings: Ring[] | ((position: ReturnType<typeof root.ele>) => void)) => {
    const o = feature('BP_BaugebietsTeilFlaeche', id);
    o.ele(NS.xplan, 'xplan:ebene').txt('0');
    o.ele(NS.xplan, 'xplan:gehoertZuBereich').att(NS.xlink, 'xlink:href', `#GML_warmup_bereich${b}`);
    o.ele(NS.xplan, 'xplan:rechtscharakter').txt('1000');
    if (Array.isArray(rings)) polygon(o.ele(NS.xplan, 'xplan:position'), rings);
    else rings(o.ele(NS.xplan, 'xplan:position'));
    o.ele(NS.xplan, 'xplan:flaechenschluss').txt('true');
  };
  // Bereich 2 (see below): its Geltungsbereich rounds its upper right corner with chords
  const x = 2 * COLUMNS * CELL, side = 20;
  const arc = (cx: number, cy: number, from: number, to: number, chords: number): Ring =>
    Array.from({ length: chords + 1 }, (_v, k) => [cx + RADIUS * Math.cos(from + ((to - from) * k) / chords), cy + RADIUS * Math.sin(from + ((to - from) * k) / chords)]);
  const corner = { cx: width - RADIUS, cy: height - RADIUS };
  for (const b of [0, 1, 2]) {
    const bereich = feature('BP_Bereich', `GML_warmup_bereich${b}`);
    bereich.ele(NS.xplan, 'xplan:nummer').txt(String(b));
    const outline = b < 2 ? box(b * COLUMNS * CELL, 0, (b + 1) * COLUMNS * CELL, height) : [[x, 0], [width, 0], ...arc(corner.cx, corner.cy, 0, Math.PI / 2, chords), [x, height], [x, 0]] as Ring;
    polygon(bereich.ele(NS.xplan, 'xplan:geltungsbereich'), [outline]);
    bereich.ele(NS.xplan, 'xplan:gehoertZuPlan').att(NS.xlink, 'xlink:href', '#GML_warmup_plan');
  }
  for (const b of [0, 1]) {
    for (let i = b * COLUMNS; i < (b + 1) * COLUMNS; i++) {
      for (let j = 0; j < ROWS; j++) {
        // Bereich 0: a 0.4 mm sliver every few cells; Bereich 1: one 5 cm overlap, and its top row left open
        if (b === 1 && j === ROWS - 1) continue;
        const nudge = b === 0 ? ((i + j) % 3 === 0 ? { edge: (i + j) % 4, by: 0.0004 } : undefined) : i === COLUMNS + 2 && j === 2 ? { edge: 1, by: -0.05 } : undefined;
        const rings = [cell(i, j, nudge)];
        // one cell with a hole, filled by an island of its own
        const island = b === 0 && i === 1 && j === 1 ? box(i * CELL + 3, j * CELL + 3, i * CELL + 6, j * CELL + 6) : undefined;
        if (island) rings.push([...island].reverse());
        area(`GML_warmup_${b}_${i}_${j}`, b, rings);
        if (island) area(`GML_warmup_${b}_${i}_${j}_insel`, b, [island]);
      }
    }
    for (let j = 0; j < ROWS - 1; j++) {
      const line = feature('BP_BauGrenze', `GML_warmup_baugrenze_${b}_${j}`);
      line.ele(NS.xplan, 'xplan:gehoertZuBereich').att(NS.xlink, 'xlink:href', `#GML_warmup_bereich${b}`);
      line.ele(NS.xplan, 'xplan:rechtscharakter').txt('1000');
      const x0 = b * COLUMNS * CELL + 2, y = j * CELL + 3;
      line.ele(NS.xplan, 'xplan:position').ele(NS.gml, 'gml:LineString').att(NS.gml, 'gml:id', `GML_warmup_g${ids++}`).att('srsName', SRS)
        .ele(NS.gml, 'gml:posList').txt(posList([[x0, y], [x0 + COLUMNS * CELL - 4, y], [x0 + COLUMNS * CELL - 4, y + 4], [x0, y + 4]]));
    }
  }

  // Bereich 2: a square whose upper right corner is a quarter circle, and the rest of the Bereich
  // around it, which follows that arc with chords and rounds the Bereich's own corner with a true arc
  // where the Geltungsbereich has chords (less than a millimetre outside them: within the tolerance of 2.2.3.1)
  const inner = { cx: x + side - RADIUS, cy: side - RADIUS };
  const curved = (position: ReturnType<typeof root.ele>, pieces: Array<{ arc?: boolean; points: Ring }>) => {
    const segments = position.ele(NS.gml, 'gml:Polygon').att(NS.gml, 'gml:id', `GML_warmup_g${ids++}`).att('srsName', SRS)
      .ele(NS.gml, 'gml:exterior').ele(NS.gml, 'gml:Ring').ele(NS.gml, 'gml:curveMember')
      .ele(NS.gml, 'gml:Curve').att(NS.gml, 'gml:id', `GML_warmup_g${ids++}`).ele(NS.gml, 'gml:segments');
    for (const piece of pieces) {
      segments.ele(NS.gml, piece.arc ? 'gml:Arc' : 'gml:LineStringSegment').att('interpolation', piece.arc ? 'circularArc3Points' : 'linear')
        .ele(NS.gml, 'gml:posList').txt(posList(piece.points));
    }
  };
  const innerArc = arc(inner.cx, inner.cy, 0, Math.PI / 2, 2);
  const outerArc = arc(corner.cx, corner.cy, 0, Math.PI / 2, 2);
  area('GML_warmup_2_bogen', 2, (position) => curved(position, [
    { points: [[x, 0], [x + side, 0], innerArc[0]!] },
    { arc: true, points: innerArc },
    { points: [innerArc[2]!, [x, side], [x, 0]] },
  ]));
  area('GML_warmup_2_rest', 2, (position) => curved(position, [
    { points: [[x + side, 0], [width, 0], outerArc[0]!] },
    { arc: true, points: outerArc },
    { points: [outerArc[2]!, [x, height], [x, side], ...arc(inner.cx, inner.cy, Math.PI / 2, 0, chords), [x + side, 0]] },
  ]));
  return Buffer.from(root.end(), 'utf8');
}
