// The page a planner checks a plan with in a browser (GET /xplanung/v1/validate): a form that posts the
// file to the same address as multipart/form-data, answered with the report page (report.ts). Planning
// software uses the same address with the plan as the body; the page says how.
import { create } from 'xmlbuilder2';
import { germanCount, germanNumber } from './german-number.ts';
import { BASE_STYLE, STAGE_LABELS } from './report.ts';
import { ruleList } from './rules.ts';
import { SUPPORTED_VERSION_LIST } from './versions.ts';

export interface UploadPageOptions {
  /** The largest plan the gateway takes (GATEWAY_MAX_PLAN_BYTES). */
  maxBytes: number;
  /** Why the last upload was refused, in German, shown above the form. */
  error?: string;
  /** The form's absolute address, for the example of how planning software sends a plan. */
  address?: string;
}

/** The form field of the file; `skipSemantisch`, `skipGeometrisch` and GEOMETRY_CHECK_BOXES are check boxes beside it. */
export const UPLOAD_FIELD = 'plan';

/** Check boxes (form field, German label) that switch off one check of the geometry stage each. */
const GEOMETRY_CHECK_BOXES = [
  ['skipFlaechenschluss', 'Flächenschluss nicht prüfen (Regel 2.2.1.1: Überlappungen und Lücken)'],
  ['skipGeltungsbereich', 'Geltungsbereich nicht prüfen (Regel 2.2.3.1: Objekte innerhalb des Geltungsbereichs)'],
  ['skipLaufrichtung', 'Laufrichtung nicht prüfen (Regel 2.2.2.1: Umlaufsinn der Ringe einer Fläche)'],
] as const;

/** Bytes as a German size ("250 MB", "1,5 MB"). */
export function germanSize(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  // grouped as every number of the pages (german-number.ts), not with the point of toLocaleString
  if (mb >= 1) return `${germanNumber(mb, 1)} MB`;
  return `${germanCount(Math.ceil(bytes / 1024))} KB`;
}

export function uploadPageHtml(options: UploadPageOptions): string {
  const doc = create().dtd({ name: 'html' });
  const html = doc.ele('html', { lang: 'de' });
  const head = html.ele('head');
  head.ele('meta', { charset: 'utf-8' });
  head.ele('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' });
  head.ele('title').txt('XPlanGML-Plan prüfen');
  head.ele('style').txt(`${BASE_STYLE}form{margin:1.5rem 0;padding:1rem;border:1px solid #ccc;background:#fafafa}` +
    'label{display:block;margin:.5rem 0}fieldset{border:0;padding:0;margin:1rem 0}legend{font-weight:bold}' +
    'button{font-size:1rem;padding:.5rem 1.2rem;margin-top:.5rem}.hint{color:#555;font-size:.9em}summary{font-weight:bold;cursor:pointer;margin:1rem 0}');
  const body = html.ele('body').ele('main');
  body.ele('h1').txt('XPlanGML-Plan prüfen');
  body.ele('p').txt(
    `Prüft einen Plan im Format XPlanGML (Versionen ${SUPPORTED_VERSION_LIST}) wie der Validator der XLeitstelle: ` +
      'gegen das XML-Schema der Version, nach den unten genannten Konformitätsregeln und geometrisch ' +
      '(gültige Flächen, Lage im Geltungsbereich, Flächenschluss). Der Prüfbericht nennt jeden Befund mit Regel, ' +
      'Zeile und gml:id und zeigt in einer Lageskizze, wo er liegt.',
  );
  body.ele('p').txt('Der Plan wird nur geprüft: nichts wird gespeichert oder veröffentlicht.');
  if (options.error) body.ele('p', { class: 'fail', id: 'fehler', role: 'alert' }).txt(options.error);
  // relative action: the form posts to the address it was loaded from, also behind a path prefix
  const form = body.ele('form', { method: 'post', action: 'validate', enctype: 'multipart/form-data' });
  const file = form.ele('label', { for: 'plan' });
  file.txt('Datei: ein XPlanGML-Dokument (.gml, .xml) oder ein XPlanArchiv (.zip mit xplan.gml und Anlagen)');
  form.ele('input', { type: 'file', id: 'plan', name: UPLOAD_FIELD, required: 'required', accept: '.gml,.xml,.zip,application/gml+xml,application/xml,text/xml,application/zip' });
  form.ele('div', { class: 'hint' }).txt(`höchstens ${germanSize(options.maxBytes)}`);
  const stages = form.ele('fieldset');
  stages.ele('legend').txt('Prüfschritte');
  for (const [name, stage] of [['skipSemantisch', 'semantic'], ['skipGeometrisch', 'geometry']] as const) {
    const label = stages.ele('label');
    label.ele('input', { type: 'checkbox', name, value: 'true', id: name });
    label.txt(` ${STAGE_LABELS[stage]} überspringen`);
  }
  // the checks of the geometry stage xPlanBox's validator lets a planner switch off; the rest of it runs
  const checks = form.ele('fieldset');
  checks.ele('legend').txt('Einzelne geometrische Prüfungen');
  for (const [name, text] of GEOMETRY_CHECK_BOXES) {
    const label = checks.ele('label');
    label.ele('input', { type: 'checkbox', name, value: 'true', id: name });
    label.txt(` ${text}`);
  }
  form.ele('button', { type: 'submit' }).txt('Plan prüfen');

  // the push-only checks (mandant-ags, mapping.*) never appear when a plan is only checked
  const rules = ruleList().filter((x) => x.rule !== 'mandant-ags' && !x.rule.startsWith('mapping'));
  const details = body.ele('details', { id: 'regeln' });
  details.ele('summary').txt(`Geprüfte Regeln (${rules.length})`);
  const table = details.ele('table');
  const tr = table.ele('thead').ele('tr');
  for (const h of ['Regel', 'Prüfschritt', 'Was geprüft wird', 'XPlanGML-Versionen']) tr.ele('th', { scope: 'col' }).txt(h);
  const tbody = table.ele('tbody');
  for (const r of rules) {
    const row = tbody.ele('tr');
    row.ele('td').ele('code').txt(r.rule);
    row.ele('td').txt(STAGE_LABELS[r.stage]);
    row.ele('td').txt(r.title);
    // a Konformitätsregel's number means something only with its version; some are not checked (no established condition)
    const versions = r.versions ? r.versions.join(', ') : 'alle';
    row.ele('td').txt(r.notCheckedIn?.length ? `${versions} (nicht geprüft: ${r.notCheckedIn.join(', ')})` : versions);
  }

  body.ele('h2').txt('Für Planungssoftware');
  body.ele('p').txt('Dieselbe Adresse nimmt den Plan auch direkt als Inhalt der Anfrage an und antwortet mit dem Prüfbericht als JSON:');
  const address = options.address ?? '<diese Adresse>';
  body.ele('pre').ele('code', { id: 'beispiel' }).txt(
    `curl -X POST -H "Content-Type: application/gml+xml" --data-binary @plan.gml \\\n  ${address}\n\n` +
      `curl -X POST -H "Content-Type: application/zip" --data-binary @XPlanArchiv.zip \\\n  "${address}?skipGeometrisch=true"`,
  );
  const more = body.ele('p');
  more.txt('Die Schnittstelle ist unter ');
  more.ele('a', { href: '../../docs' }).txt('/docs');
  more.txt(' beschrieben; die Regeln als Daten: ');
  more.ele('a', { href: 'rules' }).txt('rules');
  more.txt('.');
  return doc.end({ headless: true, prettyPrint: true, allowEmptyTags: true });
}
