// /health, /openapi.json and /docs (Swagger UI from the local swagger-ui-dist package, no CDN).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import express, { Router } from 'express';
import type { GatewayContext } from '../../core/context.ts';
import { buildOpenApi } from '../../core/openapi.ts';
import { missingSchemaFiles } from '../../core/schema-dir.ts';

const require = createRequire(import.meta.url);

export function operationRoutes(ctx: GatewayContext): Router {
  const r = Router();
  const openapi = JSON.stringify(buildOpenApi());
  // The schema directory is checked at start; /health re-checks a cheap sentinel per version.
  const sentinels = ['xplanung/6.0/XPlanung-Operationen.xsd', 'xplanung/5.4/XPlanung-Operationen.xsd', 'dcat-ap-de/3.0/dcat-ap-SHACL-DE.ttl'];
  let schemasOk = missingSchemaFiles(ctx.config.schemaDir).length === 0;

  r.get('/health', async (_req, res) => {
    let database: 'ok' | 'error' = 'ok';
    try { await ctx.store.ping(); } catch { database = 'error'; }
    schemasOk = schemasOk && sentinels.every((s) => existsSync(join(ctx.config.schemaDir, s)));
    const healthy = database === 'ok' && schemasOk;
    res.status(healthy ? 200 : 503).setHeader('Cache-Control', 'no-store');
    res.json({ status: healthy ? 'ok' : 'degraded', database, schemas: schemasOk ? 'ok' : 'missing', version: process.env.npm_package_version ?? '0.1.0' });
  });

  r.get('/openapi.json', (_req, res) => { res.type('application/json').send(openapi); });

  const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));
  r.get('/docs', (_req, res) => {
    res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>beteiligung-gateway API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`);
  });
  r.get('/docs/init.js', (_req, res) => {
    res.type('application/javascript').send("window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui' });\n");
  });
  r.use('/docs/assets', express.static(swaggerDir, { index: false, fallthrough: false }));
  return r;
}
