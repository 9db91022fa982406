// The open-data catalogue feed (DCAT-AP.de 3.0, DCAT-AP.PLU) for GovData, state portals and data.europa.eu.
import type { GatewayContext, StandardModule } from '../core/context.ts';
import { dcatRoutes } from './routes.ts';

export const dcatModule: StandardModule = {
  id: 'dcat',
  router(ctx: GatewayContext) {
    return dcatRoutes(ctx);
  },
};
