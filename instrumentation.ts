// Runs once when a Next.js server process starts: apply pending migrations before the first request, start the
// retention job, and
// while no admin exists, print a new one-time link (valid for an hour) that creates the first admin.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return
  const { databaseReady } = await import('./lib/db/client')
  await databaseReady()
  const [{ issueSetupToken, SETUP_TOKEN_TTL_MS }, { env }, { logger }, { startRetentionJob }] = await Promise.all([
    import('./lib/services/portal-auth'),
    import('./lib/env'),
    import('./lib/ops/logger'),
    import('./lib/services/retention'),
  ])
  startRetentionJob((message, error) => logger.error({ err: error }, message))
  ;(await import('./lib/services/webhook-worker')).startWebhookWorker()
  const token = await issueSetupToken()
  if (!token) return
  const setupUrl = `${env().PUBLIC_URL}/setup?token=${token}`
  const minutes = SETUP_TOKEN_TTL_MS / 60_000
  if (env().NODE_ENV === 'development') {
    // `npm run dev` is read by a person: the link as plain text, not inside a JSON line.
    console.log(
      `\nNo admin exists yet. Create the first admin with this link (it works once, for ${minutes} minutes;\n` +
        `restart the server for a new one):\n  ${setupUrl}\n`,
    )
    return
  }
  logger.warn(
    { setupUrl, validMinutes: minutes },
    `No admin exists yet. Create the first admin with this link (it works once, for ${minutes} minutes; restart the server for a new one): ${setupUrl}`,
  )
}
