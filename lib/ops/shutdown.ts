import type { Server } from 'node:http'
import { closeDatabase } from '../db/client'
import { flushRequestLog } from '../services/request-log'
import { markShuttingDown } from './health'
import { logger } from './logger'

/**
 * Graceful shutdown on SIGTERM and SIGINT: /readyz turns 503, the listening socket closes (no new
 * connections), idle keep-alive connections are closed and busy ones get `Connection: close` on their last
 * answer (createAppServer), in-flight requests finish, the provisioning log is flushed and the database
 * closed. If that takes longer than `timeoutMs` the process exits anyway, with code 1.
 */

export type ShutdownOptions = {
  timeoutMs: number
  /** process.exit in production; tests pass their own. */
  exit?: (code: number) => void
}

/** Every step of the shutdown; resolves true when it finished within the time limit. */
export async function shutDown(server: Server, timeoutMs: number): Promise<boolean> {
  markShuttingDown()
  const started = performance.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs)
  })
  // A connection that turns idle after close() would otherwise stay open until its keep-alive timeout.
  const sweeper = setInterval(() => server.closeIdleConnections(), 50)
  const drain = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    clearInterval(sweeper)
    logger.info({ ms: Math.round(performance.now() - started) }, 'Shutdown: in-flight requests finished')
    await flushRequestLog()
    await closeDatabase()
    return true as const
  }
  try {
    const finished = await Promise.race([drain(), expired])
    if (!finished) server.closeAllConnections()
    return finished
  } finally {
    clearTimeout(timer)
    clearInterval(sweeper)
  }
}

/** Installs the signal handlers; a second signal during the shutdown exits at once. */
export function installGracefulShutdown(server: Server, { timeoutMs, exit = (code) => process.exit(code) }: ShutdownOptions): void {
  let stopping = false
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'Second signal during shutdown: exiting now')
      exit(1)
      return
    }
    stopping = true
    logger.info({ signal, timeoutMs }, 'Shutting down: no new connections; finishing in-flight requests')
    shutDown(server, timeoutMs).then(
      (finished) => {
        if (finished) logger.info('Shutdown complete')
        else logger.error({ timeoutMs }, 'Shutdown did not finish in time: exiting anyway')
        exit(finished ? 0 : 1)
      },
      (error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed')
        exit(1)
      },
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
