import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto'
import { promisify } from 'node:util'
import { z } from 'zod'
import { Prisma } from '../db/generated/client'
import { countOperators, insertOperator, listOperatorRows } from '../db/operators'
import { recordAudit, type Actor } from './audit'
import { ConflictError } from './errors'

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>
const SCRYPT = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }

/** scrypt, with parameters and salt stored beside the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16)
  const key = await scryptAsync(password, salt, 64, SCRYPT)
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$')
  if (scheme !== 'scrypt' || !salt || !key) return false
  const expected = Buffer.from(key, 'base64')
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem,
  })
  return timingSafeEqual(actual, expected)
}

export const operatorRoles = ['admin', 'support'] as const
export const createOperatorSchema = z.object({
  email: z.email('Enter a valid email address.').transform((email) => email.toLowerCase()),
  role: z.enum(operatorRoles, { error: 'Role must be admin or support.' }),
})

export function generatePassword(): string {
  return randomBytes(18).toString('base64url')
}

/** Creates an operator with a generated password, returned once. */
export async function createOperator(actor: Actor, input: z.input<typeof createOperatorSchema>) {
  const data = createOperatorSchema.parse(input)
  const password = generatePassword()
  try {
    const operator = await insertOperator({ ...data, passwordHash: await hashPassword(password) })
    await recordAudit(actor, 'operator.create', { type: 'operator', id: operator.id }, { email: data.email, role: data.role })
    return { operator, password }
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new ConflictError(`An operator with the email '${data.email}' already exists.`)
    }
    throw error
  }
}

export function listOperators() {
  return listOperatorRows()
}

export function hasOperators() {
  return countOperators().then((count) => count > 0)
}
