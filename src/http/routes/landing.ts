// The page a person sees at the gateway's root (GET /): what it is and where to go (the planners' upload
// page, the API description, the DCAT feed, Open311 discovery), German with a short English line. And a
// favicon, so that every browser visit does not log a 404 for /favicon.ico. Like /docs, these are pages
// for people, not API operations, and so not in the OpenAPI document.
import { Router } from 'express';

/** A speech bubble over a map pin, in the colours of the pages; SVG, which browsers take as a favicon. */
export const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<rect x="2" y="3" width="28" height="19" rx="4" fill="#004b87"/>' +
  '<path d="M9 22 L9 29 L16 22 Z" fill="#004b87"/>' +
  '<circle cx="16" cy="12.5" r="5" fill="#fff"/><circle cx="16" cy="12.5" r="2" fill="#004b87"/>' +
  '</svg>\n';

/**
 * Links relative to the page (no leading slash): behind a reverse proxy that mounts the gateway under a
 * path prefix they still point into the gateway.
 */
const LINKS: Array<{ href: string; title: string; text: string }> = [
  { href: 'xplanung/v1/validate', title: 'XPlanGML-Plan prüfen', text: 'Für Planerinnen und Planer: einen Bebauungs- oder Flächennutzungsplan (XPlanGML oder XPlanArchiv) hochladen und einen deutschen Prüfbericht mit Lageskizze erhalten. Nichts wird gespeichert.' },
  { href: 'docs', title: 'API-Dokumentation (OpenAPI)', text: 'Alle Schnittstellen des Gateways zum Ausprobieren; die Beschreibung als OpenAPI 3.1 unter openapi.json.' },
  { href: 'dcat/catalog', title: 'Offene Daten: DCAT-AP.de-Katalog', text: 'Verfahren und Pläne als Katalog für GovData und Landesportale (RDF/XML, Turtle, JSON-LD: dcat/catalog.ttl, …).' },
  { href: 'open311/v2/discovery.json', title: 'Mängelmelder: Open311 GeoReport v2', text: 'Service Discovery für Bürger-Apps, die Mängel melden (auch als discovery.xml).' },
  { href: 'health', title: 'Betriebszustand', text: 'Datenbank und Schemaverzeichnis (für Überwachung).' },
];

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function landingPageHtml(): string {
  const items = LINKS.map((l) => `<li><a href="${escape(l.href)}">${escape(l.title)}</a><br><span>${escape(l.text)}</span></li>`).join('\n');
  return `<!DOCTYPE html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Beteiligungs-Gateway</title>
<link rel="icon" href="favicon.ico" type="image/svg+xml">
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a}
h1{color:#004b87}ul{list-style:none;padding:0}li{margin:1rem 0}a{font-weight:bold;color:#004b87}span{color:#444}
.en{color:#555;font-size:.95em;border-top:1px solid #ccc;padding-top:1rem}</style></head>
<body><main>
<h1>Beteiligungs-Gateway</h1>
<p>Dieses Gateway verbindet das Beteiligungsportal mit offenen Standards: Planungssoftware übermittelt Bauleitpläne
als <strong>XPlanung</strong>, Bürger-Apps melden Mängel über <strong>Open311 GeoReport v2</strong>, und Datenportale
übernehmen Verfahren und Pläne als <strong>DCAT-AP.de</strong>-Katalog.</p>
<ul>
${items}
</ul>
<p class="en" lang="en">English: a standards gateway for a German citizen-participation portal (XPlanung, Open311
GeoReport v2, DCAT-AP.de). Planners check plans on the upload page; developers start at the API documentation.</p>
</main></body></html>
`;
}

export function landingRoutes(): Router {
  const r = Router();
  const page = landingPageHtml();
  r.get('/', (_req, res) => { res.type('html').setHeader('Cache-Control', 'public, max-age=300').send(page); });
  r.get('/favicon.ico', (_req, res) => { res.type('image/svg+xml').setHeader('Cache-Control', 'public, max-age=86400').send(FAVICON_SVG); });
  return r;
}
