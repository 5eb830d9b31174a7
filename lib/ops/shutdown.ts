import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { closeDatabase } from '../db/client'
import { flushRequestLog } from '../services/request-log'
import { stopRetentionJob } from '../services/retention'
import { stopWebhookWorker } from '../services/webhook-worker'
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

const connections = new WeakMap<Server, Set<Socket>>()

/**
 * Keeps the server's open connections (createAppServer calls it): Node's closeIdleConnections() leaves a
 * connection alone until it has sent a first request, so one that never does would hold the shutdown up.
 */
export function trackConnections(server: Server): void {
  const sockets = new Set<Socket>()
  connections.set(server, sockets)
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
}

/** Closes connections with no request in progress: idle keep-alive ones, and those that never sent a byte. */
function closeIdle(server: Server): void {
  server.closeIdleConnections()
  for (const socket of connections.get(server) ?? []) if (socket.bytesRead === 0) socket.destroy()
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
  const sweeper = setInterval(() => closeIdle(server), 50)
  let timedOut = false
  const drain = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    closeIdle(server)
    await closed
    clearInterval(sweeper)
    // Past the limit the caller exits: nothing more to do here.
    if (timedOut) return false
    logger.info({ ms: Math.round(performance.now() - started) }, 'Shutdown: in-flight requests finished')
    stopRetentionJob()
    await Promise.all([flushRequestLog(), stopWebhookWorker()])
    await closeDatabase()
    return true
  }
  try {
    const finished = await Promise.race([drain(), expired])
    if (!finished) {
      timedOut = true
      server.closeAllConnections()
    }
    return finished
  } finally {
    clearTimeout(timer)
    clearInterval(sweeper)
  }
}

/** Installs the signal handlers; a second signal during the shutdown exits at once. */
export function installGracefulShutdown(
  server: Server,
  { timeoutMs, exit = (code) => process.exit(code) }: ShutdownOptions,
): void {
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
