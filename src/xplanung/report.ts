// The validation report: types from schemas/xplanung-validation-report.schema.json, and its
// German HTML rendering for planners (Accept: text/html).
import { create } from 'xmlbuilder2';
import type { components } from '../generated/openapi.d.ts';
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

/** Builds a report; `valid` is false exactly when an error is present. */
export function makeReport(parts: Omit<ValidationReport, 'valid'> & { valid?: boolean }): ValidationReport {
  const { valid: _ignored, ...rest } = parts;
  return { valid: !rest.findings.some((f) => f.severity === 'error'), ...rest };
}

/** The report as a readable German HTML page. */
export function reportToHtml(report: ValidationReport): string {
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.length - errors;
  const doc = create().dtd({ name: 'html' });
  const html = doc.ele('html', { lang: 'de' });
  const head = html.ele('head');
  head.ele('meta', { charset: 'utf-8' });
  head.ele('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' });
  head.ele('title').txt(`Prüfbericht XPlanGML ${report.fileName ?? ''}`.trim());
  head.ele('style').txt(
    'body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}' +
      '.ok{color:#116329}.fail{color:#a40e26}table{border-collapse:collapse;width:100%}' +
      'th,td{border:1px solid #ccc;padding:.4rem;text-align:left;vertical-align:top}th{background:#f3f3f3}' +
      'td.error{color:#a40e26;font-weight:bold}td.warning{color:#8a5a00}code{font-size:.9em}.rule-title{font-size:.85em;color:#555}',
  );
  const body = html.ele('body');
  body.ele('h1').txt('Prüfbericht XPlanGML');
  body.ele('p', { class: report.valid ? 'ok' : 'fail', id: 'result' })
    .txt(report.valid ? 'Der Plan ist valide.' : 'Der Plan ist nicht valide.');
  const facts = body.ele('dl');
  facts.ele('dt').txt('Datei'); facts.ele('dd').txt(report.fileName ?? '–');
  facts.ele('dt').txt('XPlanGML-Version'); facts.ele('dd').txt(report.version ?? 'nicht erkannt');
  facts.ele('dt').txt('Fehler / Warnungen'); facts.ele('dd', { id: 'counts' }).txt(`${errors} Fehler, ${warnings} Warnungen`);
  if (report.plans.length > 0) {
    body.ele('h2').txt('Pläne');
    const ul = body.ele('ul');
    for (const p of report.plans) ul.ele('li').txt(`${p.type} „${p.name ?? ''}“${p.number ? ` Nr. ${p.number}` : ''} (gml:id ${p.gmlId})`);
  }
  if (report.skipped.length > 0) {
    body.ele('h2').txt('Nicht ausgeführte Prüfschritte');
    const ul = body.ele('ul');
    for (const s of report.skipped) ul.ele('li').txt(`${STAGE_LABELS[s.stage]}: ${s.reason}`);
  }
  body.ele('h2').txt('Befunde');
  if (report.findings.length === 0) body.ele('p').txt('Keine Befunde.');
  else {
    const table = body.ele('table', { id: 'findings' });
    const tr = table.ele('thead').ele('tr');
    for (const h of ['Schwere', 'Prüfschritt', 'Regel', 'Meldung', 'Zeile', 'gml:id']) tr.ele('th', { scope: 'col' }).txt(h);
    const tbody = table.ele('tbody');
    for (const f of report.findings) {
      const row = tbody.ele('tr');
      row.ele('td', { class: f.severity }).txt(f.severity === 'error' ? 'Fehler' : 'Warnung');
      row.ele('td').txt(STAGE_LABELS[f.stage]);
      // the number and what the rule asks, so that a planner need not look the number up
      const rule = row.ele('td');
      rule.ele('code').txt(f.rule);
      const title = ruleTitle(f.rule);
      if (title) rule.ele('div', { class: 'rule-title' }).txt(title);
      row.ele('td').txt(f.message);
      row.ele('td').txt(f.line ? String(f.line) : '');
      row.ele('td').txt(f.gmlIds.join(', '));
    }
  }
  // allowEmptyTags: HTML parsers do not understand <td/>.
  return doc.end({ headless: true, prettyPrint: true, allowEmptyTags: true });
}
