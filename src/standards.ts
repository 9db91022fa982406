// The one registry of standards the gateway serves. Each module lives in its own folder and only
// depends on src/core; the application mounts them in this order.
import type { StandardModule } from './core/context.ts';
import { dcatModule } from './dcat/index.ts';
import { open311Module } from './open311/index.ts';
import { xplanungModule } from './xplanung/index.ts';

export const STANDARDS: StandardModule[] = [xplanungModule, open311Module, dcatModule];
