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

function instance(): Logger {
  return (globalForLogger.__traffitechLogger ??= createLogger())
}

type LogMethods = Pick<Logger, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'>

/**
 * Made on first use, not at import: settings are read when the process first logs, so a module that imports the
 * logger does not fix the environment before its caller (a test, the CLI) has set it.
 */
export const logger: LogMethods = {
  fatal: (...args: Parameters<Logger['fatal']>) => instance().fatal(...args),
  error: (...args: Parameters<Logger['error']>) => instance().error(...args),
  warn: (...args: Parameters<Logger['warn']>) => instance().warn(...args),
  info: (...args: Parameters<Logger['info']>) => instance().info(...args),
  debug: (...args: Parameters<Logger['debug']>) => instance().debug(...args),
  trace: (...args: Parameters<Logger['trace']>) => instance().trace(...args),
}
