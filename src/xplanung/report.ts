// The validation report: types from schemas/xplanung-validation-report.schema.json, and its
// German HTML rendering for planners (Accept: text/html).
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import type { components } from '../generated/openapi.d.ts';
import { germanCount } from './german-number.ts';
import { appendDetail, appendOverview, sketchOf } from './report-sketch.ts';
import { ruleTitle } from './rules.ts';

export type ValidationReport = components['schemas']['ValidationReport'];
export type Finding = components['schemas']['ValidationReport_finding'];
export type Stage = components['schemas']['ValidationReport_stage'];

export const STAGE_LABELS: Record<Stage, string> = {
  safety: 'Sicherheitsprüfung',
  syntax: 'Syntax (XML-Schema)',
  semantic: 'Semantik (Konformitätsregeln)',
  geometry: 'Geometrie',
};

/** What a `skipped` entry names: a stage, or a check of the geometry stage switched off (skipFlaechenschluss …). */
export const SKIPPED_LABELS: Record<ValidationReport['skipped'][number]['stage'], string> = {
  ...STAGE_LABELS,
  flaechenschluss: 'Geometrie, Flächenschluss (Regel 2.2.1.1)',
  geltungsbereich: 'Geometrie, Lage im Geltungsbereich (Regel 2.2.3.1)',
  laufrichtung: 'Geometrie, Laufrichtung der Ringe (Regel 2.2.2.1)',
};

/** The stage in a findings row, where a column has little room; the full label is its tooltip. */
const STAGE_SHORT: Record<Stage, string> = { safety: 'Sicherheit', syntax: 'Syntax', semantic: 'Semantik', geometry: 'Geometrie' };

/** Builds a report; `valid` is false exactly when an error is present. */
export function makeReport(parts: Omit<ValidationReport, 'valid'> & { valid?: boolean }): ValidationReport {
  const { valid: _ignored, ...rest } = parts;
  return { valid: !rest.findings.some((f) => f.severity === 'error'), ...rest };
}

/** Type, tables and result colours, shared by the report page and the upload page (upload-page.ts). */
export const BASE_STYLE =
  'body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}' +
  '.ok{color:#116329}.fail{color:#a40e26}table{border-collapse:collapse;width:100%}' +
  'th,td{border:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}th{background:#f3f3f3}code{font-size:.9em}';

export interface ReportPageOptions {
  /** Where the form to check another plan is, relative to the page (a report answered to the upload form). */
  formHref?: string;
}

/** From this many findings on, the page sums them up by rule first. */
const SUMMARY_FROM = 5;

/** The summary row of a rule, which the findings' rule numbers link to. */
const ruleAnchor = (rule: string) => `regel-${rule}`;

/** Per rule, in the order they first occur: errors, warnings, and a link to the first of its findings. */
function appendSummary(body: XMLBuilder, findings: Finding[], version: string | null): void {
  const byRule = new Map<string, { first: number; errors: number; warnings: number }>();
  findings.forEach((f, i) => {
    const r = byRule.get(f.rule) ?? { first: i + 1, errors: 0, warnings: 0 };
    if (f.severity === 'error') r.errors++;
    else r.warnings++;
    byRule.set(f.rule, r);
  });
  body.ele('h2').txt('Übersicht nach Regeln');
  const table = body.ele('table', { id: 'uebersicht' });
  const tr = table.ele('thead').ele('tr');
  for (const h of ['Regel', 'Was sie verlangt', 'Fehler', 'Warnungen', 'Erster Befund']) tr.ele('th', { scope: 'col' }).txt(h);
  const tbody = table.ele('tbody');
  for (const [rule, r] of byRule) {
    const row = tbody.ele('tr', { id: ruleAnchor(rule) });
    row.ele('td').ele('code').txt(rule);
    row.ele('td', { class: 'long' }).txt(ruleTitle(rule, version) ?? '');
    row.ele('td').txt(germanCount(r.errors));
    row.ele('td').txt(germanCount(r.warnings));
    row.ele('td').ele('a', { href: `#befund-${r.first}` }).txt(`Nr. ${r.first}`);
  }
}

const RESULT_LABELS: Record<NonNullable<ValidationReport['rules']>[number]['result'], string> = {
  passed: 'erfüllt',
  failed: 'verletzt',
  'not-applicable': 'nicht anwendbar',
  'not-checked': 'nicht geprüft',
};

/** Every rule with its result, folded away: what was checked, not only what failed. */
function appendRuleResults(body: XMLBuilder, rules: NonNullable<ValidationReport['rules']>): void {
  const count = (r: keyof typeof RESULT_LABELS) => rules.filter((x) => x.result === r).length;
  const details = body.ele('details', { id: 'alle-regeln' });
  details.ele('summary').txt(`Alle Regeln (${germanCount(rules.length)}): ${(Object.keys(RESULT_LABELS) as Array<keyof typeof RESULT_LABELS>).map((r) => `${germanCount(count(r))} ${RESULT_LABELS[r]}`).join(', ')}`);
  const table = details.ele('table');
  const tr = table.ele('thead').ele('tr');
  for (const h of ['Regel', 'Was sie verlangt', 'Prüfschritt', 'Ergebnis', 'Hinweis']) tr.ele('th', { scope: 'col' }).txt(h);
  const tbody = table.ele('tbody');
  for (const r of rules) {
    const row = tbody.ele('tr', { class: `result-${r.result}` });
    row.ele('td').ele('code').txt(r.rule);
    row.ele('td', { class: 'long' }).txt(r.title);
    row.ele('td').txt(STAGE_SHORT[r.stage]);
    row.ele('td', { class: r.result === 'failed' ? 'error' : '' }).txt(RESULT_LABELS[r.result]);
    const counts = [r.errors ? `${germanCount(r.errors)} Fehler` : '', r.warnings ? `${germanCount(r.warnings)} Warnungen` : ''].filter(Boolean).join(', ');
    row.ele('td', { class: 'long' }).txt([counts, r.reason ?? ''].filter(Boolean).join('; '));
  }
}

/** The report as a readable German HTML page. */
export function reportToHtml(report: ValidationReport, options: ReportPageOptions = {}): string {
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const doc = create().dtd({ name: 'html' });
  const html = doc.ele('html', { lang: 'de' });
  const head = html.ele('head');
  head.ele('meta', { charset: 'utf-8' });
  head.ele('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' });
  head.ele('title').txt(`Prüfbericht XPlanGML ${report.fileName ?? ''}`.trim());
  head.ele('style').txt(
    BASE_STYLE +
      // long unbreakable words (gml:ids, relation names, URLs) may break anywhere, so that the table fits
      // the page; the short cells keep their words whole
      'td.long{overflow-wrap:anywhere}#findings{font-size:.9em}#findings col.message{width:50%}#findings col.ids{width:18%}td.ids{font-size:.9em}td.error{color:#a40e26;font-weight:bold}td.warning{color:#8a5a00}.rule-title{font-size:.85em;color:#555;overflow-wrap:anywhere}' +
      'tr:target{background:#fff6d5}figure{margin:1rem 0}svg{max-width:100%;height:auto;display:block}' +
      '.sketch-bg{fill:#fafafa;stroke:#ccc}.outline{fill:#e3edf7;stroke:#2f5f8f;stroke-width:1.5;fill-rule:evenodd}' +
      '.outline-edge{fill:none;stroke:#2f5f8f;stroke-width:1.5}' +
      '.marker{stroke-width:2;fill-opacity:.45;fill-rule:evenodd}.marker.error{fill:#d7263d;stroke:#a40e26}' +
      '.marker.warning{fill:#f5a623;stroke:#8a5a00}.marker.other{opacity:.35}' +
      '.pin circle{stroke:#fff;stroke-width:1.5}.pin.error circle,.spot.error{fill:#a40e26}.pin.warning circle,.spot.warning{fill:#b86e00}' +
      '.pin text{fill:#fff;font-size:10px;font-weight:bold;text-anchor:middle}.pin .leader{stroke:#1b1b1b;stroke-width:1;fill:none}.pin .foot{fill:#1b1b1b;stroke:none}' +
      'details.detail{margin-top:.3rem;font-size:.85em;color:#555}details.detail code{word-break:break-all}' +
      // printed or saved as PDF for the procedure's file: no navigation, no rows cut in half
      '@media print{body{max-width:none;margin:0}#weiterer-plan{display:none}tr,figure{break-inside:avoid}thead{display:table-header-group}}' +
      '.scale-bar path{fill:none;stroke:#1b1b1b;stroke-width:1.5}.scale-bar text{font-size:11px}.where{margin-top:.4rem}',
  );
  // one main landmark: screen readers jump to the content (BITV 2.0 / WCAG 2.1)
  const body = html.ele('body').ele('main');
  body.ele('h1').txt('Prüfbericht XPlanGML');
  body.ele('p', { class: report.valid ? 'ok' : 'fail', id: 'result' })
    .txt(report.valid ? 'Der Plan ist valide.' : 'Der Plan ist nicht valide.');
  if (options.formHref) body.ele('p').ele('a', { href: options.formHref, id: 'weiterer-plan' }).txt('Weiteren Plan prüfen');
  const facts = body.ele('dl');
  facts.ele('dt').txt('Datei'); facts.ele('dd').txt(report.fileName ?? '–');
  facts.ele('dt').txt('XPlanGML-Version'); facts.ele('dd').txt(report.version ?? 'nicht erkannt');
  facts.ele('dt').txt('Fehler / Warnungen'); facts.ele('dd', { id: 'counts' }).txt(`${germanCount(errors)} Fehler, ${germanCount(warnings)} Warnungen`);
  if (report.plans.length > 0) {
    body.ele('h2').txt('Pläne');
    const ul = body.ele('ul');
    for (const p of report.plans) ul.ele('li').txt(`${p.type} „${p.name ?? ''}“${p.number ? ` Nr. ${p.number}` : ''} (gml:id ${p.gmlId})`);
  }
  if (report.skipped.length > 0) {
    body.ele('h2').txt('Nicht ausgeführte Prüfschritte');
    const ul = body.ele('ul');
    for (const s of report.skipped) ul.ele('li').txt(`${SKIPPED_LABELS[s.stage]}: ${s.reason}`);
  }
  // many findings: which rules they come from, so that a planner sees „79 Lücken“ before reading 79 rows
  const summary = report.findings.length >= SUMMARY_FROM;
  if (summary) appendSummary(body, report.findings, report.version);
  const sketch = sketchOf(report);
  if (sketch) {
    body.ele('h2').txt('Lageskizze');
    appendOverview(body, sketch);
  }
  const placed = new Map(sketch?.placed.map((p) => [p.number, p]));
  body.ele('h2').txt('Befunde');
  if (report.findings.length === 0) body.ele('p').txt('Keine Befunde.');
  else {
    const table = body.ele('table', { id: 'findings' });
    // the message gets most of the width, the gml:ids some; the other columns what their words need
    const cols = table.ele('colgroup');
    for (const c of ['nr', 'severity', 'stage', 'rule', 'message', 'line', 'ids']) cols.ele('col', { class: c });
    const tr = table.ele('thead').ele('tr');
    for (const h of ['Nr.', 'Schwere', 'Prüfschritt', 'Regel', 'Meldung', 'Zeile', 'gml:id']) tr.ele('th', { scope: 'col' }).txt(h);
    const tbody = table.ele('tbody');
    const titled = new Set<string>();
    for (const [i, f] of report.findings.entries()) {
      const number = i + 1;
      const row = tbody.ele('tr', { id: `befund-${number}` });
      row.ele('td').txt(String(number));
      row.ele('td', { class: f.severity }).txt(f.severity === 'error' ? 'Fehler' : 'Warnung');
      row.ele('td', { title: STAGE_LABELS[f.stage] }).txt(STAGE_SHORT[f.stage]);
      // What the rule asks, once, so that a planner need not look the number up, and a row is not
      // made tall by the same title again: in the summary (the number links there), else under the
      // rule's first finding; always as the number's tooltip.
      const title = ruleTitle(f.rule, report.version);
      const rule = row.ele('td', title ? { title } : {});
      (summary ? rule.ele('a', { href: `#${ruleAnchor(f.rule)}` }) : rule).ele('code').txt(f.rule);
      if (title && !summary && !titled.has(f.rule)) rule.ele('div', { class: 'rule-title' }).txt(title);
      titled.add(f.rule);
      const message = row.ele('td', { class: 'long' });
      message.ele('div').txt(f.message);
      // libxml2's own words, for support; folded away
      if (f.detail) message.ele('details', { class: 'detail' }).ele('summary').txt('Originalmeldung').up().ele('code').txt(f.detail);
      const at = placed.get(number);
      if (sketch && at) appendDetail(message, sketch, at);
      row.ele('td').txt(f.line ? String(f.line) : '');
      row.ele('td', { class: 'long ids' }).txt(f.gmlIds.join(', '));
    }
  }
  if (report.rules?.length) appendRuleResults(body, report.rules);
  // allowEmptyTags: HTML parsers do not understand <td/>.
  return doc.end({ headless: true, prettyPrint: true, allowEmptyTags: true });
}
