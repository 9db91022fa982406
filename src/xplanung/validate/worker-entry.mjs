// Entry of a validation worker. Worker threads do not inherit the TypeScript loader of the
// main thread (tsx, registered by `node --import tsx` or mocha), so register it here first.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
