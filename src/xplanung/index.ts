// XPlanung: validation of pushed XPlanGML plans, their mapping to procedures, and export.
import type { GatewayContext, StandardModule } from '../core/context.ts';
import { xplanungRoutes } from './routes/http.ts';
import { XPlanungService } from './service.ts';

const services = new Set<XPlanungService>();

export const xplanungModule: StandardModule = {
  id: 'xplanung',
  router(ctx: GatewayContext) {
    const service = new XPlanungService(ctx);
    services.add(service);
    return xplanungRoutes(ctx, service);
  },
  warm() {
    for (const s of services) void s.warm();
  },
  async close() {
    await Promise.all([...services].map((s) => s.close()));
    services.clear();
  },
};
