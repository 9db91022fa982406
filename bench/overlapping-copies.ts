// A plan made of N copies of one area object (XPlanGML 6.0, valid against the XSD): every copy a
// Flächenschluss object on the same 100 m × 100 m polygon, which is also the Geltungsbereich. Each pair
// overlaps, so a check that intersects every overlapping pair does N²/2 overlays; the worst case of the
// 2.2.1.1 overlap test (bench/xplanung.ts, test/xplanung/cost.test.ts). 250 copies are ~0.2 MB.
const X0 = 411000, Y0 = 5656200, SIZE = 100;
const SRS = 'EPSG:25833';

export function overlappingCopiesPlan(copies: number): Buffer {
  // a vertex per 10 m, as real outlines have more than four
  const ring: string[] = [];
  const side = (x0: number, y0: number, dx: number, dy: number) => {
    for (let k = 0; k < 10; k++) ring.push(`${X0 + x0 + dx * k * 10} ${Y0 + y0 + dy * k * 10}`);
  };
  side(0, 0, 1, 0); side(SIZE, 0, 0, 1); side(SIZE, SIZE, -1, 0); side(0, SIZE, 0, -1);
  ring.push(ring[0]!);
  const posList = ring.join(' ');
  const polygon = (id: string) => `<gml:Polygon srsName="${SRS}" gml:id="${id}"><gml:exterior><gml:LinearRing><gml:posList srsDimension="2" count="${ring.length}">${posList}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon>`;
  const parts: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<xplan:XPlanAuszug xmlns:xplan="http://www.xplanung.de/xplangml/6/0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:xlink="http://www.w3.org/1999/xlink" gml:id="GML_copies">',
    `<gml:boundedBy><gml:Envelope srsName="${SRS}"><gml:lowerCorner>${X0} ${Y0}</gml:lowerCorner><gml:upperCorner>${X0 + SIZE} ${Y0 + SIZE}</gml:upperCorner></gml:Envelope></gml:boundedBy>`,
    `<gml:featureMember><xplan:BP_Plan gml:id="GML_copies_plan"><xplan:name>Kopien</xplan:name><xplan:raeumlicherGeltungsbereich>${polygon('GML_copies_plan_g')}</xplan:raeumlicherGeltungsbereich>`
      + '<xplan:gemeinde><xplan:XP_Gemeinde><xplan:ags>14612000</xplan:ags><xplan:gemeindeName>Dresden</xplan:gemeindeName></xplan:XP_Gemeinde></xplan:gemeinde>'
      + '<xplan:planArt>1000</xplan:planArt><xplan:rechtsstand>2400</xplan:rechtsstand><xplan:bereich xlink:href="#GML_copies_bereich"/></xplan:BP_Plan></gml:featureMember>',
    '<gml:featureMember><xplan:BP_Bereich gml:id="GML_copies_bereich"><xplan:nummer>0</xplan:nummer>',
  ];
  for (let i = 0; i < copies; i++) parts.push(`<xplan:planinhalt xlink:href="#GML_copy_${i}"/>`);
  parts.push('<xplan:gehoertZuPlan xlink:href="#GML_copies_plan"/></xplan:BP_Bereich></gml:featureMember>');
  for (let i = 0; i < copies; i++) {
    parts.push(`<gml:featureMember><xplan:BP_BaugebietsTeilFlaeche gml:id="GML_copy_${i}"><xplan:ebene>0</xplan:ebene><xplan:gehoertZuBereich xlink:href="#GML_copies_bereich"/>`
      + `<xplan:rechtscharakter>1000</xplan:rechtscharakter><xplan:position>${polygon(`GML_copy_${i}_g`)}</xplan:position>`
      + '<xplan:flaechenschluss>true</xplan:flaechenschluss><xplan:allgArtDerBaulNutzung>1000</xplan:allgArtDerBaulNutzung></xplan:BP_BaugebietsTeilFlaeche></gml:featureMember>');
  }
  parts.push('</xplan:XPlanAuszug>');
  return Buffer.from(parts.join('\n'));
}
