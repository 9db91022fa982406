// External references (validate/references.ts): relative referenzURL / georefURL against the entries of
// the XPlanArchive they travel in, on the real archive BPlan004_6-0.zip changed in one place at a time.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { projectRoot } from '../../src/core/paths.ts';
import { checkExternalReferences, entryNameOf } from '../../src/xplanung/validate/references.ts';
import { readXPlanArchive } from '../../src/xplanung/validate/archive.ts';
import { runValidationJob } from '../../src/xplanung/validate/job.ts';
import { real, zip } from '../helpers/xplanung.ts';

describe('xplanung/references: files a plan points to', function () {
  this.timeout(60_000);
  const schemaDir = join(projectRoot, 'schemas', 'vendor');
  let gml: string;
  let files: Map<string, Buffer>;
  before(async () => {
    const a = await readXPlanArchive(real('BPlan004_6-0.zip'));
    assert.ok(a.ok);
    if (!a.ok) return;
    gml = a.content.gml.toString('utf8');
    files = new Map(a.content.attachments.map((n) => [n, Buffer.from(`Inhalt von ${n}`)]));
  });
  const validate = async (xml: string, entries: Map<string, Buffer>) => {
    const body = await zip([['xplan.gml', xml], ...entries]);
    const { report } = await runValidationJob({ body, contentType: 'application/zip', schemaDir, skipGeometry: true });
    return { report, refs: report.findings.filter((f) => f.rule === 'externe-referenz') };
  };
  const without = (name: string) => new Map([...files].filter(([n]) => n !== name));

  it('an archive holding every file it references: no finding', async () => {
    const { report, refs } = await validate(gml, files);
    assert.deepEqual(refs, []);
    assert.equal(report.valid, true);
  });

  it('a referenced file missing from the archive: a warning naming it, at the reference, and the plan stays valid', async () => {
    const { report, refs } = await validate(gml, without('BPlan004_6-0.pdf'));
    assert.equal(refs.length, 1);
    assert.equal(refs[0]!.severity, 'warning');
    assert.match(refs[0]!.message, /^BP_Plan: die externe Referenz „[^“]+“ verweist auf die Datei „BPlan004_6-0\.pdf“, die das XPlanArchiv nicht enthält\.$/);
    assert.equal(refs[0]!.line, 39, 'the line of the XP_SpezExterneReferenz');
    assert.equal(report.valid, true);
    // the georeference of the scan, too
    const geo = (await validate(gml, without('BPlan004_6-0.pgw'))).refs;
    assert.deepEqual(geo.map((f) => f.message.replace(/^\w+: /, '')), ['die Georeferenzierung verweist auf die Datei „BPlan004_6-0.pgw“, die das XPlanArchiv nicht enthält.']);
  });

  it('a file whose name differs only in case: the warning names the entry that is there', async () => {
    const renamed = without('BPlan004_6-0.pdf').set('bplan004_6-0.PDF', Buffer.from('pdf'));
    const { refs } = await validate(gml, renamed);
    assert.equal(refs.length, 1);
    assert.match(refs[0]!.message, /Im Archiv liegt „bplan004_6-0\.PDF“: die Groß- und Kleinschreibung weicht ab/);
  });

  it('percent-encoding, "./" and a fragment still name the entry; links with a scheme are not files', async () => {
    const changed = gml.replace('<xplan:referenzURL>BPlan004_6-0.pdf<', '<xplan:referenzURL>./BPlan004%5F6-0.pdf#page=2<')
      .replace('<xplan:referenzURL>BPlan004_6-0.png<', '<xplan:referenzURL>https://example.org/plaene/BPlan004_6-0.png<');
    assert.notEqual(changed, gml);
    const { report, refs } = await validate(changed, without('BPlan004_6-0.png'));
    assert.deepEqual(refs, []);
    assert.ok(!report.findings.some((f) => f.rule === 'xsd'), 'still valid against the XSD');
  });

  it('a path on the author\'s computer: a warning suggesting the relative name', async () => {
    const changed = gml.replace('<xplan:referenzURL>BPlan004_6-0.pdf<', '<xplan:referenzURL>file:///C:/Projekte/BPlan004/Begr%C3%BCndung%20final.pdf<');
    const { refs } = await validate(changed, files);
    assert.equal(refs.length, 1);
    assert.match(refs[0]!.message, /verweist auf den lokalen Pfad „file:\/\/\/C:\/Projekte\/BPlan004\/Begr%C3%BCndung%20final\.pdf“, den nur der Rechner öffnen kann, auf dem der Plan entstand\. .*\(z\. B\. „Begründung final\.pdf“\)\.$/);
  });

  it('a plain GML document cannot carry files: its relative references are named (real plan Blankenese29.gml)', async () => {
    const { report } = await runValidationJob({ body: real('Blankenese29.gml'), contentType: 'application/gml+xml', schemaDir, skipGeometry: true });
    const refs = report.findings.filter((f) => f.rule === 'externe-referenz');
    assert.deepEqual(refs.map((f) => f.message), [
      'BP_Bereich: die externe Referenz „Blankenese29“ verweist auf die Datei „Blankenese29.png“, die nicht mitgeschickt wurde. Dateien, auf die der Plan verweist, gehören mit xplan.gml in ein XPlanArchiv (ZIP).',
      'BP_Bereich: die Georeferenzierung verweist auf die Datei „Blankenese29.pgw“, die nicht mitgeschickt wurde. Dateien, auf die der Plan verweist, gehören mit xplan.gml in ein XPlanArchiv (ZIP).',
    ]);
    assert.equal(report.valid, true);
  });

  it('Windows drive paths and UNC shares are local paths; each reference is named once per object', () => {
    const feature = { type: 'BP_Plan', gmlId: 'GML_1', node: {}, line: 7 };
    const found = checkExternalReferences([
      { feature, node: { referenzName: 'Begründung', referenzURL: 'C:\\Planung\\Begruendung.pdf' } },
      { feature, node: { referenzName: 'Begründung', referenzURL: 'C:\\Planung\\Begruendung.pdf' } },
      { feature, node: { referenzURL: '\\\\server\\plaene\\scan.tif', georefURL: 'scan.tfw' } },
      { feature, node: { referenzURL: 'urn:uuid:0b6a2f5e-7c1d-4a5b-9e8f-1a2b3c4d5e6f' } },
    ], ['scan.tfw']);
    assert.deepEqual(found.map((f) => [f.line, f.message.match(/„([^“]+)“, den nur/)?.[1]]), [[7, 'C:\\Planung\\Begruendung.pdf'], [7, '\\\\server\\plaene\\scan.tif']]);
  });

  it('entry names: decoded, forward slashes, no "./", no query or fragment', () => {
    assert.equal(entryNameOf('./Anlagen/Begr%C3%BCndung.pdf?download=1'), 'Anlagen/Begründung.pdf');
    assert.equal(entryNameOf('Anlagen\\Scan.png#x'), 'Anlagen/Scan.png');
    assert.equal(entryNameOf('100%.pdf'), '100%.pdf', 'not percent-encoding: as written');
  });
});
