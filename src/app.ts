// Builds the express application: core routes, the standards from the registry, problem+json
// for anything that fails. No I/O happens here beyond what the context holds.
import express, { type Express } from 'express';
import type { GatewayContext, StandardModule } from './core/context.ts';
import { notFound } from './core/errors.ts';
import { credentials } from './http/credentials.ts';
import { problemHandler } from './http/problem.ts';
import { adminRoutes } from './http/routes/admin.ts';
import { operationRoutes } from './http/routes/operations.ts';
import { procedureRoutes } from './http/routes/procedures.ts';
import { securityHeaders } from './http/security.ts';
import { STANDARDS } from './standards.ts';

export function createApp(ctx: GatewayContext, standards: StandardModule[] = STANDARDS): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.config.trustProxy);
  app.set('query parser', 'simple');
  app.use(securityHeaders);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      ctx.logger.info({ method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    });
    next();
  });
  app.use(credentials(ctx));
  app.use(operationRoutes(ctx));
  app.use(adminRoutes(ctx));
  app.use(procedureRoutes(ctx));
  for (const s of standards) app.use(s.router(ctx));
  app.use((req, _res, next) => next(notFound(`no resource at ${req.method} ${req.path}; see /docs for the API`)));
  app.use(problemHandler(ctx.logger));
  return app;
}
