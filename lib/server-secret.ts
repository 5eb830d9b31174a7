import { hkdfSync, randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { env } from './env'

const globalForSecret = globalThis as unknown as { __traffitechAuthSecret?: string }

/**
 * The key that signs session JWTs: NEXTAUTH_SECRET when set; otherwise one generated on first start and kept
 * in DATA_DIR, so sessions survive restarts with the embedded database without any configuration.
 */
export function authSecret(): string {
  const configured = env().NEXTAUTH_SECRET
  if (configured) return configured
  if (globalForSecret.__traffitechAuthSecret) return globalForSecret.__traffitechAuthSecret
  const { DATA_DIR } = env()
  let secret: string
  if (DATA_DIR.startsWith('memory://')) {
    secret = randomBytes(32).toString('base64url')
  } else {
    const file = path.resolve(DATA_DIR, 'nextauth-secret')
    try {
      secret = readFileSync(file, 'utf8').trim()
    } catch {
      secret = ''
    }
    if (secret.length < 32) {
      secret = randomBytes(32).toString('base64url')
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, secret, { mode: 0o600 })
    }
  }
  globalForSecret.__traffitechAuthSecret = secret
  return secret
}

/** The key that encrypts TOTP secrets at rest, derived from the auth secret so no second secret is needed. */
export function mfaEncryptionKey(): Buffer {
  return Buffer.from(hkdfSync('sha256', authSecret(), 'traffitech', 'totp-secret-encryption', 32))
}
