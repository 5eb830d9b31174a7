import { z } from 'zod'
import { Prisma } from '../db/generated/client'
import { countAdmins, insertOperator, listOperatorRows } from '../db/operators'
import { recordAudit, type Actor } from './audit'
import { ConflictError } from './errors'
import { generatePassword, hashPassword } from './passwords'

export const operatorRoles = ['admin', 'support'] as const
export const createOperatorSchema = z.object({
  email: z.email('Enter a valid email address.').max(320).transform((email) => email.toLowerCase()),
  role: z.enum(operatorRoles, { error: 'Role must be admin or support.' }),
})

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

/** While no admin exists (disabled ones count), the first-admin setup link is open. */
export function hasAdmins() {
  return countAdmins().then((count) => count > 0)
}
