'use server'

import { z } from 'zod'
import { adminAction } from '@/lib/http/admin-action'
import { createOperator, createOperatorSchema, operatorRoles } from '@/lib/services/operators'
import { changeOwnPassword, passwordSchema, setOperatorDisabled, setOperatorRole } from '@/lib/services/portal-auth'

export const createOperatorAction = adminAction({ role: 'admin', schema: createOperatorSchema }, async (input, { actor }) => {
  const { operator, password } = await createOperator(actor, input)
  return { message: `Added ${operator.email} (${operator.role}).`, secret: password }
})

export const setOperatorRoleAction = adminAction(
  { role: 'admin', schema: z.object({ operatorId: z.uuid(), role: z.enum(operatorRoles) }) },
  async (input, { actor }) => {
    const operator = await setOperatorRole(actor, input.operatorId, input.role)
    return {
      message: `${operator.email} is now ${input.role}.`,
      audit: { action: 'operator.role', target: { type: 'operator', id: operator.id }, details: { email: operator.email, from: operator.role, to: input.role } },
    }
  },
)

export const setOperatorDisabledAction = adminAction(
  { role: 'admin', schema: z.object({ operatorId: z.uuid(), disabled: z.enum(['true', 'false']) }) },
  async (input, { actor }) => {
    const disabled = input.disabled === 'true'
    const operator = await setOperatorDisabled(actor, input.operatorId, disabled)
    return {
      message: `${operator.email} is ${disabled ? 'disabled: their sessions stop working now' : 'enabled'}.`,
      audit: { action: disabled ? 'operator.disable' : 'operator.enable', target: { type: 'operator', id: operator.id }, details: { email: operator.email } },
    }
  },
)

// Every operator, support included, may change their own password.
export const changePasswordAction = adminAction(
  {
    role: 'support',
    schema: z
      .object({ current: z.string().min(1, 'Enter your current password.'), next: passwordSchema, confirm: z.string() })
      .refine((input) => input.next === input.confirm, { path: ['confirm'], message: 'The two new passwords differ.' }),
  },
  async (input, { operator }) => {
    await changeOwnPassword(operator.id, input.current, input.next)
    return { message: 'Password changed.', audit: { action: 'operator.password', target: { type: 'operator', id: operator.id } } }
  },
)
