/** Structured logs: pino JSON lines, lowercase messages, fields for the details. */
import { pino } from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'netwarden' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
