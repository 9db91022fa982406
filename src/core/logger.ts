// Structured JSON logs (pino). Request logs carry method, path and status only: query strings may
// hold api_key values or personal data, so they are never logged.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino({ level, base: { service: 'beteiligung-gateway' }, timestamp: pino.stdTimeFunctions.isoTime }, destination as never);
}
