// Worker thread of the syntax stage: receives documents, answers their XSD issues.
// Each worker compiles a schema set once (on first use) and keeps it.
import { parentPort } from 'node:worker_threads';
import { validateAgainstXsd } from './xsd.ts';
import type { XsdIssue } from './xsd.ts';

export interface XsdTask { id: number; xml: Uint8Array; version: string; schemaDir: string }
export type XsdReply = { id: number; issues: XsdIssue[] } | { id: number; error: string };

parentPort?.on('message', (task: XsdTask) => {
  try {
    parentPort!.postMessage({ id: task.id, issues: validateAgainstXsd(task.xml, task.version, task.schemaDir) } satisfies XsdReply);
  } catch (err) {
    parentPort!.postMessage({ id: task.id, error: err instanceof Error ? err.message : String(err) } satisfies XsdReply);
  }
});
