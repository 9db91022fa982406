// A plan made of N copies of one area object (XPlanGML 6.0, valid against the XSD): every copy a
// Flächenschluss object on the same 100 m × 100 m polygon, which is also the Geltungsbereich. Each pair
// overlaps, so a check that intersects every overlapping pair does N²/2 overlays; the worst case of the
// 2.2.1.1 overlap test (bench/xplanung.ts, test/xplanung/cost.test.ts). 250 copies are ~0.2 MB.
// With `shifted`, copy i is moved by (i·0.07 m, i·0.03 m): no two are the same, every pair overlaps,
// their boundaries cross each other, and the copies reach out of the Geltungsbereich (the unshifted
// square), so grouping identical copies does not help and 2.2.3.1 finds every copy but the first.
const X0 = 411000, Y0 = 5656200, SIZE = 100;
const SRS = 'EPSG:25833';
export const SHIFT_X = 0.07, SHIFT_Y = 0.03;

export function overlappingCopiesPlan(copies: number, options: { shifted?: boolean } = {}): Buffer {
  // a vertex per 10 m, as real outlines have more than four
  const ringAt = (ox: number, oy: number) => {
    const ring: string[] = [];
    // rounded to the millimetre, as plans write them
    const at = (x: number, y: number) => `${Math.round((X0 + ox + x) * 1000) / 1000} ${Math.round((Y0 + oy + y) * 1000) / 1000}`;
    const side = (x0: number, y0: number, dx: number, dy: number) => {
      for (let k = 0; k < 10; k++) ring.push(at(x0 + dx * k * 10, y0 + dy * k * 10));
    };
    side(0, 0, 1, 0); side(SIZE, 0, 0, 1); side(SIZE, SIZE, -1, 0); side(0, SIZE, 0, -1);
    ring.push(ring[0]!);
    return ring;
  };
  const polygon = (id: string, ring: string[]) => `<gml:Polygon srsName="${SRS}" gml:id="${id}"><gml:exterior><gml:LinearRing><gml:posList srsDimension="2" count="${ring.length}">${ring.join(' ')}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>`;
  const square = ringAt(0, 0);
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="GML_copies">',
    `<gml:boundedBy><gml:Envelope srsName="${SRS}"><gml:lowerCorner>${X0} ${Y0}</gml:lowerCorner><gml:upperCorner>${X0 + SIZE} ${Y0 + SIZE}</gml:upperCorner></gml:Envelope></gml:boundedBy>`,
    `<gml:featureMember><xplan:BP_Plan gml:id="GML_copies_plan"><xplan:name>Kopien</xplan:name><xplan:raeumlicherGeltungsbereich>${polygon('GML_copies_plan_g', square)}</xplan:raeumlicherGeltungsbereich>`
      + '<xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>14612000</xplan:ags><xplan:gemeindeName>Dresden</xplan:gemeindeName></xplan:XP_Gemeinde></xplan:gemeinde>'
      + '<xplan:planArt>1000</xplan:planArt><xplan:rechtsstand>2400</xplan:rechtsstand><xplan:bereich xlink:href="#GML_copies_bereich"/></xplan:BP_Plan></gml:featureMember>',
    '<gml:featureMember><xplan:BP_Bereich gml:id="GML_copies_bereich"><xplan:nummer>0</xplan:nummer>',
  ];
  for (let i = 0; i < copies; i++) parts.push(`<xplan:planinhalt xlink:href="#GML_copy_${i}"/>`);
  parts.push('<xplan:gehoertZuPlan xlink:href="#GML_copies_plan"/></xplan:BP_Bereich></gml:featureMember>');
  for (let i = 0; i < copies; i++) {
    const ring = options.shifted ? ringAt(i * SHIFT_X, i * SHIFT_Y) : square;
    parts.push(`<gml:featureMember><xplan:BP_BaugebietsTeilFlaeche gml:id="GML_copy_${i}"><xplan:ebene>0</xplan:ebene><xplan:gehoertZuBereich xlink:href="#GML_copies_bereich"/>`
      + `<xplan:rechtscharakter>1000</xplan:rechtscharakter><xplan:position>${polygon(`GML_copy_${i}_g`, ring)}</xplan:position>`
      + '<xplan:flaechenschluss>true</xplan:flaechenschluss><xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung></xplan:BP_BaugebietsTeilFlaeche></gml:featureMember>');
  }
  parts.push('</xplan:XPlanAuszug>');
  return Buffer.from(parts.join('\n'));
}
