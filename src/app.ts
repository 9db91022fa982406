// Builds the express application: core routes, the standards from the registry, problem+json
// for anything that fails. No I/O happens here beyond what the context holds.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import type { GatewayContext, StandardModule } from './core/context.ts';
import { notFound } from './core/errors.ts';
import { credentials } from './http/credentials.ts';
import { problemHandler } from './http/problem.ts';
import { ReplayCache } from './http/replay.ts';
import { adminRoutes } from './http/routes/admin.ts';
import { landingRoutes } from './http/routes/landing.ts';
import { operationRoutes } from './http/routes/operations.ts';
import { procedureRoutes } from './http/routes/procedures.ts';
import { securityHeaders } from './http/security.ts';
import { STANDARDS } from './standards.ts';

/** The gateway's request listener (for node:http or supertest), with the express app behind it. */
export interface GatewayApp {
  (req: IncomingMessage, res: ServerResponse): void;
  readonly express: Express;
}

export function createApp(ctx: GatewayContext, standards: StandardModule[] = STANDARDS): GatewayApp {
  const replay = new ReplayCache(64 * 1024 * 1024, ctx.logger.isLevelEnabled('info')
    ? (req, status) => ctx.logger.info({ method: req.method, path: req.url?.split('?', 1)[0], status, replayed: true }, 'request')
    : undefined);
  const app = express();
  app.disable('x-powered-by');
  // One proxy in front: the client address is the one it appended to X-Forwarded-For (the last);
  // `true` would take the first, which the client writes itself and could vary to escape rate limits.
  app.set('trust proxy', ctx.config.trustProxy ? 1 : false);
  app.set('query parser', 'simple');
  app.use(securityHeaders);
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      ctx.logger.info({ method: req.method, path: req.path, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    });
    next();
  });
  app.use(replay.keeper()); // routes behind it may register polled public answers (sendRepresentation)
  app.use(credentials(ctx));
  app.use(operationRoutes(ctx));
  app.use(landingRoutes());
  app.use(adminRoutes(ctx));
  app.use(procedureRoutes(ctx));
  for (const s of standards) app.use(s.router(ctx));
  app.use((req, _res, next) => next(notFound(`no resource at ${req.method} ${req.path}; see /docs for the API`)));
  app.use(problemHandler(ctx.logger));
  // Polled public answers are replayed before express sees the request (see src/http/replay.ts).
  const listener = (req: IncomingMessage, res: ServerResponse) => replay.serve(req, res, app);
  return Object.assign(listener, { express: app });
}
