// What every part of the gateway is given at start: configuration, storage and the logger.
// Standards modules receive it through their descriptor in src/standards.ts.
import type { Router } from 'express';
import type { Config } from '../config.ts';
import type { Logger } from './logger.ts';
import type { Store } from './storage/repository.ts';

export interface GatewayContext {
  config: Config;
  store: Store;
  logger: Logger;
}

/** A standard served by the gateway (XPlanung, Open311, DCAT ...): its routes and its resources. */
export interface StandardModule {
  id: string;
  /** Mounted at the application root; paths carry their own prefix (e.g. /open311/v2). */
  router(ctx: GatewayContext): Router;
  /** Starts what the first requests would otherwise wait for (worker threads); called by the server once it listens. */
  warm?(): void;
  /** Releases workers, timers etc. on shutdown. */
  close?(): Promise<void>;
}
