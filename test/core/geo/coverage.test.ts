// interiorsMayMeet may answer "maybe" where JTS's relate says the interiors are disjoint (the
// caller then runs the relate), but it must never answer "disjoint" where they meet: that would
// hide an overlap. Checked against relate 'T********' on hand-made cases, on random coverages with
// perturbed, flipped, holed and overlapping cells, and on every real plan's Flächenschluss objects.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { complementFace, coverageFace, coversExactly, interiorsMayMeet, lineFace, locateInFace } from '../../../src/core/geo/coverage.ts';
import { fromGeoJson, isValidOp, type Geometry } from '../../../src/core/geo/jts.ts';
import { readGmlGeometry } from '../../../src/xplanung/geometry/gml.ts';
import { documentOf, text, type XPlanDocument } from '../../../src/xplanung/parse.ts';
import { readXPlanArchive } from '../../../src/xplanung/validate/archive.ts';
import { scanProlog } from '../../../src/xplanung/validate/safety.ts';
import { geometryIn, structureOf } from '../../../src/xplanung/validate/structure.ts';
import { validateAgainstXsd } from '../../../src/xplanung/validate/xsd.ts';
import { versionByNamespace } from '../../../src/xplanung/versions.ts';
import { projectRoot } from '../../../src/core/paths.ts';
import { listShared } from '../../helpers/shared.ts';
import { REAL_DIR } from '../../helpers/xplanung.ts';

type Ring = number[][];

/** Every real plan that passes the XSD, read as the geometry stage reads it. */
async function realPlans(): Promise<XPlanDocument[]> {
  const schemaDir = join(projectRoot, 'schemas', 'vendor');
  const out: XPlanDocument[] = [];
  for (const name of listShared('fixtures', 'xplanung-real').filter((f) => /\.(gml|zip)$/.test(f))) {
    let xml: Buffer = readFileSync(join(REAL_DIR, name));
    if (name.endsWith('.zip')) {
      const archive = await readXPlanArchive(xml);
      if (!archive.ok) continue;
      xml = archive.content.gml;
    }
    const prolog = scanProlog(xml);
    const version = prolog.ok ? versionByNamespace(prolog.root.namespace) : undefined;
    if (!version) continue;
    const { tree } = await validateAgainstXsd(xml, version.version, schemaDir);
    if (tree) out.push(documentOf(tree, version));
  }
  return out;
}
const poly = (...rings: Ring[]) => fromGeoJson({ type: 'Polygon', coordinates: rings });
const multi = (...polys: Ring[][]) => fromGeoJson({ type: 'MultiPolygon', coordinates: polys });
const square = (x: number, y: number, s = 10): Ring => [[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]];
const clockwise = (r: Ring): Ring => [...r].reverse();
const relates = (a: Geometry, b: Geometry) => a.relate(b, 'T********');
const filter = (a: Geometry, b: Geometry) => interiorsMayMeet(coverageFace(a), coverageFace(b));

describe('core/geo/coverage: interiorsMayMeet', () => {
  const cases: Array<[string, Geometry, Geometry, boolean | 'maybe']> = [
    ['neighbours sharing an edge', poly(square(0, 0)), poly(square(10, 0)), false],
    ['neighbours sharing an edge, one written clockwise', poly(square(0, 0)), poly(clockwise(square(10, 0))), false],
    ['neighbours sharing two edges of an L', poly([[0, 0], [20, 0], [20, 10], [10, 10], [10, 20], [0, 20], [0, 0]]), poly([[10, 10], [20, 10], [20, 20], [10, 20], [10, 10]]), false],
    ['touching in one vertex', poly(square(0, 0)), poly(square(10, 10)), false],
    ['far apart', poly(square(0, 0)), poly(square(100, 100)), false],
    ['the same polygon', poly(square(0, 0)), poly(square(0, 0)), true],
    ['the same polygon, once clockwise', poly(square(0, 0)), poly(clockwise(square(0, 0))), true],
    ['one inside the other, no contact', poly(square(0, 0, 30)), poly(square(10, 10)), true],
    ['one inside the other, sharing an edge', poly(square(0, 0, 30)), poly(square(0, 0)), true],
    ['crossing edges', poly(square(0, 0)), poly(square(5, 5)), true],
    ['a sliver: a vertex pushed 1 mm over the shared edge', poly(square(0, 0)), poly([[10, 0], [20, 0], [20, 10], [10, 10], [9.999, 5], [10, 0]]), true],
    ['filling the hole exactly', poly(square(0, 0, 30), clockwise(square(10, 10))), poly(square(10, 10)), false],
    ['inside the hole, no contact', poly(square(0, 0, 30), square(10, 10)), poly(square(12, 12, 5)), false],
    ['over the hole and the ring around it', poly(square(0, 0, 30), square(10, 10)), poly(square(5, 5, 20)), true],
    ['a part of a multipolygon overlapping', multi([square(0, 0)], [square(50, 50)]), poly(square(55, 55)), true],
    ['multipolygon parts sharing edges with both sides', multi([square(0, 0)], [square(20, 0)]), poly(square(10, 0)), false],
    ['a collection of a polygon, a line and a multipolygon, overlapping', fromGeoJson({ type: 'GeometryCollection', geometries: [{ type: 'Polygon', coordinates: [square(0, 0)] }, { type: 'LineString', coordinates: [[0, 0], [50, 50]] }, { type: 'MultiPolygon', coordinates: [[square(30, 30)]] }] }), poly(square(35, 35)), true],
    ['a T-junction: vertices of one inside an edge of the other', poly(square(0, 0, 20)), poly([[20, 5], [30, 5], [30, 15], [20, 15], [20, 5]]), false],
    ['a T-junction, overlapping beyond it', poly(square(0, 0, 20)), poly([[20, 5], [30, 5], [30, 15], [19, 15], [20, 5]]), true],
    ['touching a vertex from inside', poly([[0, 0], [20, 0], [10, 10], [0, 0]]), poly([[10, 10], [5, 2], [15, 2], [10, 10]]), true],
    ['touching a reflex vertex from outside', poly([[0, 0], [10, 5], [20, 0], [20, 10], [0, 10], [0, 0]]), poly([[10, 5], [5, 0], [15, 0], [10, 5]]), false],
    ['touching a reflex vertex from inside', poly([[0, 0], [10, 5], [20, 0], [20, 10], [0, 10], [0, 0]]), poly([[10, 5], [8, 9], [12, 9], [10, 5]]), true],
    ['a chord between two vertices of the other, outside it', poly([[0, 0], [10, 0], [10, 10], [5, 2], [0, 10], [0, 0]]), poly([[0, 10], [5, 2], [10, 10], [0, 10]]), false],
    // a hole touching its shell in one point: several rings meet there
    ['several rings at one vertex, disjoint', poly([[0, 0], [20, 0], [20, 20], [0, 20], [0, 0]], [[0, 10], [10, 15], [10, 5], [0, 10]]), poly([[0, 10], [-10, 5], [-10, 15], [0, 10]]), 'maybe'],
  ];
  for (const [name, a, b, expected] of cases) {
    it(`${name}: ${expected === 'maybe' ? 'disjoint, may be left to the relate' : expected ? 'interiors meet' : 'interiors disjoint'}`, () => {
      if (expected !== 'maybe') assert.equal(relates(a, b), expected, 'the reference answer (relate)');
      else assert.equal(relates(a, b), false, 'the reference answer (relate)');
      if (expected === true) {
        assert.equal(filter(a, b), true);
        assert.equal(filter(b, a), true);
      } else if (expected === false) {
        assert.equal(filter(a, b), false);
        assert.equal(filter(b, a), false);
      }
    });
  }

  it('locates points inside, on the boundary of and outside a face with a hole', () => {
    const face = coverageFace(poly(square(0, 0, 30), square(10, 10)));
    assert.equal(locateInFace(face, 5, 5), 1);
    assert.equal(locateInFace(face, 15, 15), -1, 'in the hole');
    assert.equal(locateInFace(face, 10, 15), 0, 'on the hole');
    assert.equal(locateInFace(face, 30, 30), 0, 'a vertex');
    assert.equal(locateInFace(face, 30, 5), 0, 'on a vertical edge');
    assert.equal(locateInFace(face, 5, 0), 0, 'on a horizontal edge');
    assert.equal(locateInFace(face, 31, 5), -1);
    assert.equal(locateInFace(face, -1, 10), -1, 'level with two vertices');
  });

  it('never says "disjoint" where the relate says the interiors meet, on random coverages (and clears the clean pairs)', () => {
    let seed = 20261202;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let pairs = 0, meet = 0, cleared = 0, cleanCleared = 0, cleanPairs = 0;
    for (let round = 0; round < 40; round++) {
      // a grid of 6×6 cells of 10 m, each with a vertex in the middle of every edge, shared with
      // its neighbours; some cells disturbed
      const n = 6;
      const at = (i: number, j: number) => [100 * round + 5 * i, 5 * j]; // on the half grid
      const cells: Array<{ g: Geometry; clean: boolean }> = [];
      for (let i = 0; i < 2 * n; i += 2) {
        for (let j = 0; j < 2 * n; j += 2) {
          const ring: Ring = [at(i, j), at(i + 1, j), at(i + 2, j), at(i + 2, j + 1), at(i + 2, j + 2), at(i + 1, j + 2), at(i, j + 2), at(i, j + 1)];
          let clean = true;
          const r = random();
          const k = 2 * Math.floor(random() * 4); // a corner
          if (r < 0.15) { ring[k + 1] = [ring[k + 1]![0]! + (random() - 0.5) * 0.004, ring[k + 1]![1]! + (random() - 0.5) * 0.004]; clean = false; } // a sliver or a gap
          else if (r < 0.22) { ring[k] = [ring[k]![0]! + (random() - 0.5) * 6, ring[k]![1]! + (random() - 0.5) * 6]; clean = false; } // a real overlap or gap
          else if (r < 0.32) { ring.splice(k + 1, 1); clean = false; } // an edge without its middle: the neighbour's vertex lies inside it
          ring.push(ring[0]!);
          const shell = random() < 0.5 ? clockwise(ring) : ring;
          const holes = random() < 0.1 ? [clockwise(square(at(i, j)[0]! + 3, at(i, j)[1]! + 3, 4))] : [];
          const g = poly(shell, ...holes);
          if (!isValidOp(g).isValid()) continue;
          cells.push({ g, clean });
        }
      }
      // and a few areas laid over the grid
      for (let k = 0; k < 3; k++) cells.push({ g: poly(square(100 * round + random() * 50, random() * 50, 2 + random() * 15)), clean: false });
      const faces = cells.map((c) => coverageFace(c.g));
      for (let a = 0; a < cells.length; a++) {
        for (let b = a + 1; b < cells.length; b++) {
          if (!cells[a]!.g.getEnvelopeInternal().intersects(cells[b]!.g.getEnvelopeInternal())) continue;
          pairs++;
          const reference = relates(cells[a]!.g, cells[b]!.g);
          const answer = interiorsMayMeet(faces[a]!, faces[b]!);
          if (reference) {
            meet++;
            assert.equal(answer, true, `cells ${a} and ${b} of round ${round} overlap, the filter cleared them`);
            assert.equal(interiorsMayMeet(faces[b]!, faces[a]!), true);
          } else if (!answer) cleared++;
          if (cells[a]!.clean && cells[b]!.clean) {
            cleanPairs++;
            if (!answer) cleanCleared++;
          }
        }
      }
    }
    assert.ok(meet > 100, `enough overlapping pairs to mean something (${meet})`);
    assert.equal(cleanCleared, cleanPairs, 'every pair of undisturbed neighbours is cleared without a relate');
    assert.ok(cleared > pairs / 2, `most disjoint pairs are cleared (${cleared} of ${pairs})`);
  });

  it('on every real plan: never clears a pair of Flächenschluss objects whose interiors meet', async () => {
    let pairs = 0, cleared = 0;
    for (const doc of await realPlans()) {
      const members: Geometry[] = [];
      for (const o of structureOf(doc).objects) {
        if (text(o.feature.node, 'flaechenschluss') !== 'true') continue;
        const el = geometryIn(o.feature.node, 'position');
        const read = el && readGmlGeometry(el.name, el.node);
        if (!read || read.defects.length > 0 || read.geometry.getDimension() !== 2 || !read.polygons.every((p) => isValidOp(p.polygon).isValid())) continue;
        members.push(read.geometry);
      }
      const faces = members.map(coverageFace);
      for (let a = 0; a < members.length; a++) {
        for (let b = a + 1; b < members.length; b++) {
          if (!members[a]!.getEnvelopeInternal().intersects(members[b]!.getEnvelopeInternal())) continue;
          pairs++;
          const answer = interiorsMayMeet(faces[a]!, faces[b]!);
          if (relates(members[a]!, members[b]!)) assert.equal(answer, true, `${doc.features[0]?.gmlId}: objects ${a} and ${b} overlap`);
          else if (!answer) cleared++;
        }
      }
    }
    assert.ok(pairs > 200, `pairs tested: ${pairs}`);
    assert.ok(cleared > pairs * 0.8, `cleared without a relate: ${cleared} of ${pairs}`);
  });
});

describe('core/geo/coverage: coversExactly (an area, a line or a point inside an area)', () => {
  const frameOf = (g: Geometry) => complementFace(coverageFace(g), 1000);
  const inside = (outer: Geometry, inner: Geometry) => inner.getDimension() === 1 ? coversExactly(frameOf(outer), lineFace(inner), true) : coversExactly(frameOf(outer), coverageFace(inner));
  const line = (...pts: number[][]) => fromGeoJson({ type: 'LineString', coordinates: pts });
  const area = poly(square(0, 0, 30), clockwise(square(10, 10)));
  const cases: Array<[string, Geometry, boolean]> = [
    ['a square inside, no contact', poly(square(1, 1, 5)), true],
    ['a square sharing two edges with the area', poly(square(0, 0, 5)), true],
    ['the area itself', area, true],
    ['a square around the hole', poly(square(5, 5, 20)), false],
    ['a square filling the hole', poly(square(10, 10)), false],
    ['a square beside the area', poly(square(30, 0, 5)), false],
    ['a square over the area edge', poly(square(28, 0, 5)), false],
    ['a line inside', line([1, 1], [9, 9], [25, 5]), true],
    ['a line along the outer edge, either way', line([0, 0], [30, 0], [30, 30]), true],
    ['a line along the hole edge, against its direction', line([10, 10], [20, 10], [20, 20]), true],
    ['a line across the hole', line([5, 15], [25, 15]), false],
    ['a chord between two boundary points across the hole', line([10, 10], [20, 20]), false],
    ['a line leaving the area', line([25, 25], [35, 35]), false],
  ];
  for (const [name, g, expected] of cases) {
    it(`${name}: ${expected ? 'inside' : 'not inside'}`, () => {
      assert.equal(area.covers(g), expected, 'the reference answer (JTS covers)');
      assert.equal(inside(area, g), expected);
    });
  }

  it('never says "inside" where JTS says not, on random areas with holes and random polygons and lines', () => {
    let seed = 2024;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const grid = (n: number) => Math.floor(random() * n);
    let said = 0, notCovered = 0, covered = 0;
    for (let k = 0; k < 3000; k++) {
      // shapes on an integer grid, so that shared edges, touching vertices and chords are frequent
      const outer = poly(square(0, 0, 12), ...(random() < 0.6 ? [clockwise(square(2 + grid(6), 2 + grid(6), 1 + grid(3)))] : []));
      const x = grid(14) - 1, y = grid(14) - 1;
      const pts = Array.from({ length: 2 + grid(4) }, () => [x + grid(5), y + grid(5)]);
      let inner: Geometry;
      if (k % 2 === 0) inner = line(...pts);
      else {
        const ring = [[x, y], [x + 1 + grid(5), y], [x + 1 + grid(5), y + 1 + grid(5)], [x, y + 1 + grid(5)], [x, y]];
        inner = poly(random() < 0.5 ? clockwise(ring) : ring);
        if (!isValidOp(outer).isValid() || !isValidOp(inner).isValid()) continue;
      }
      const reference = outer.covers(inner);
      const answer = inside(outer, inner);
      if (!reference) {
        notCovered++;
        assert.equal(answer, false, `said inside, JTS says not: ${JSON.stringify(pts)} in round ${k}`);
      } else {
        covered++;
        if (answer) said++;
      }
    }
    assert.ok(notCovered > 500 && covered > 500, `cases tried: ${covered} covered, ${notCovered} not`);
    assert.ok(said > covered * 0.8, `said inside for ${said} of ${covered}`);
  });

  it('on every real plan: says "inside" only for objects JTS finds covered by their Geltungsbereich', async () => {
    let objects = 0, said = 0;
    for (const doc of await realPlans()) {
      const structure = structureOf(doc);
      const areaOf = new Map<string, Geometry>();
      for (const f of doc.features) {
        const el = geometryIn(f.node, f.type.endsWith('_Bereich') ? 'geltungsbereich' : 'raeumlicherGeltungsbereich');
        const read = el && readGmlGeometry(el.name, el.node);
        if (read && read.defects.length === 0 && read.geometry.getDimension() === 2 && isValidOp(read.geometry).isValid()) areaOf.set(f.gmlId, read.geometry);
      }
      for (const o of structure.objects) {
        const area = (o.bereich && areaOf.get(o.bereich.gmlId)) || (o.plan && areaOf.get(o.plan.gmlId));
        const el = geometryIn(o.feature.node, 'position');
        const read = el && readGmlGeometry(el.name, el.node);
        if (!area || !read || read.defects.length > 0 || read.geometry.getDimension() < 1 || !isValidOp(read.geometry).isValid()) continue;
        objects++;
        const answer = inside(area, read.geometry);
        if (answer) {
          said++;
          assert.equal(area.covers(read.geometry), true, `${o.feature.gmlId} said inside`);
        }
      }
    }
    assert.ok(objects > 200 && said > objects / 2, `objects: ${objects}, said inside: ${said}`);
  });
});
