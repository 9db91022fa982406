// Entry of every worker thread. Worker threads do not inherit the TypeScript loader of the main
// thread (tsx, registered by `node --import tsx` or mocha), so register it here first, then load
// the worker module the pool named.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
