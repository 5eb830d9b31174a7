import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
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

/**
 * Secrets the server must be able to use again (webhook signing secrets, operators' TOTP secrets) are sealed
 * with AES-256-GCM under a key derived from the auth secret for their purpose: a database read alone does not
 * reveal them.
 */
export function sealSecret(purpose: string, plain: string): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', purposeKey(purpose), iv)
  const encrypted = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  return `v1.${iv.toString('base64url')}.${encrypted.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`
}

export function openSecret(purpose: string, sealed: string): string {
  const [version, iv, encrypted, tag] = sealed.split('.')
  if (version !== 'v1' || !iv || !encrypted || !tag) throw new Error('Unknown sealed secret format.')
  const decipher = createDecipheriv('aes-256-gcm', purposeKey(purpose), Buffer.from(iv, 'base64url'))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  return Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64url')), decipher.final()]).toString('utf8')
}

function purposeKey(purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', authSecret(), 'traffitech', `${purpose}-encryption`, 32))
}
