// Runs once when a Next.js server process starts: apply pending migrations before the first request, and
// when nobody can sign in yet, print the one-time link that creates the first admin.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return
  const { databaseReady } = await import('./lib/db/client')
  await databaseReady()
  const { hasOperators } = await import('./lib/services/operators')
  if (await hasOperators()) return
  const [{ firstAdminSetupToken }, { env }] = await Promise.all([import('./lib/auth/secret'), import('./lib/env')])
  console.log(
    `\nNo operator exists yet. Create the first admin (this link works until it is used):\n` +
      `  ${env().PUBLIC_URL}/setup?token=${firstAdminSetupToken()}\n`,
  )
}
