// The open-data catalogue feed (DCAT-AP.de 3.0, DCAT-AP.PLU) for GovData, state portals and data.europa.eu.
import type { GatewayContext, StandardModule } from '../core/context.ts';
import { FeedPages } from './pages.ts';
import { dcatRoutes } from './routes.ts';

// one page renderer (and its worker threads) per mounted gateway
const renderers = new Set<FeedPages>();

export const dcatModule: StandardModule = {
  id: 'dcat',
  router(ctx: GatewayContext) {
    const pages = new FeedPages(ctx, ctx.config.feedWorkers);
    renderers.add(pages);
    return dcatRoutes(ctx, pages);
  },
  warm() {
    for (const p of renderers) p.warm();
  },
  async close() {
    await Promise.all([...renderers].map((p) => p.close()));
    renderers.clear();
  },
};
