import 'server-only'
import { z } from 'zod'
import { withTransaction } from '../db/client'
import { operatorRoles } from '../db/enums'
import { countAdmins, insertOperator, listOperatorRows } from '../db/operators'
import { UniqueViolationError } from '../db/sql'
import { recordAudit, type Actor } from './audit'
import { ConflictError } from './errors'
import { generatePassword, hashPassword } from './passwords'

export { operatorRoles }
export const createOperatorSchema = z.object({
  email: z
    .email('Enter a valid email address.')
    .max(320)
    .transform((email) => email.toLowerCase()),
  role: z.enum(operatorRoles, { error: 'Role must be admin or support.' }),
})

/** Creates an operator with a generated password, returned once. */
export async function createOperator(actor: Actor, input: z.input<typeof createOperatorSchema>) {
  const data = createOperatorSchema.parse(input)
  const password = generatePassword()
  const passwordHash = await hashPassword(password)
  try {
    // The operator and its audit event commit together.
    const operator = await withTransaction(async () => {
      const created = await insertOperator({ ...data, passwordHash })
      await recordAudit(actor, 'operator.create', { type: 'operator', id: created.id }, { email: data.email, role: data.role })
      return created
    })
    return { operator, password }
  } catch (error) {
    if (error instanceof UniqueViolationError) {
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
