// Runs once when a Next.js server process starts: apply pending migrations before the first request, start the
// retention job, and
// while no admin exists, print a new one-time link (valid for an hour) that creates the first admin.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return
  const { databaseReady } = await import('./lib/db/client')
  await databaseReady()
  const { startRetentionJob } = await import('./lib/services/retention')
  startRetentionJob()
  ;(await import('./lib/services/webhook-worker')).startWebhookWorker()
  const [{ issueSetupToken, SETUP_TOKEN_TTL_MS }, { env }] = await Promise.all([import('./lib/services/portal-auth'), import('./lib/env')])
  const token = await issueSetupToken()
  if (!token) return
  console.log(
    `\nNo admin exists yet. Create the first admin with this link (it works once, for ${SETUP_TOKEN_TTL_MS / 60_000} minutes;\n` +
      `restart the server for a new one):\n  ${env().PUBLIC_URL}/setup?token=${token}\n`,
  )
}
