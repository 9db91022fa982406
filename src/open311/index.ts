// Open311 GeoReport v2 (Mängelmelder): the public API for civic apps and the portal's management API.
import { Router } from 'express';
import type { GatewayContext, StandardModule } from '../core/context.ts';
import { georeportRoutes } from './routes/georeport.ts';
import { portalRoutes } from './routes/portal.ts';

export const open311Module: StandardModule = {
  id: 'open311',
  router(ctx: GatewayContext) {
    const r = Router();
    r.use(georeportRoutes(ctx));
    r.use(portalRoutes(ctx));
    return r;
  },
};
