import pino from 'pino'
import { env } from '../env'

/**
 * The server's one logger: JSON lines on stdout (pino), one object per event, with `err` serialized (type,
 * message, stack) and the request id where there is one. The level comes from LOG_LEVEL. The operator CLI
 * (scripts/admin.ts) keeps its human output on stdout and sends these lines to stderr (LOG_DESTINATION).
 *
 * One instance per process, on globalThis: Next's bundle and the production entry's own copy of this module
 * must not open two destinations on stdout.
 */

export type Logger = pino.Logger

const globalForLogger = globalThis as unknown as { __traffitechLogger?: Logger }

function createLogger(): Logger {
  const { LOG_LEVEL, LOG_DESTINATION } = env()
  return pino(
    {
      level: LOG_LEVEL,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      // `level: "error"` rather than 50: a log search reads it without a lookup table.
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.err },
    },
    // Synchronous writes: a line is out before the process exits, even on a crash.
    pino.destination({ fd: LOG_DESTINATION === 'stderr' ? 2 : 1, sync: true }),
  )
}

export const logger: Logger = (globalForLogger.__traffitechLogger ??= createLogger())
