'use server'

import { z } from 'zod'
import { adminAction } from '@/lib/http/admin-action'
import { createOperator, createOperatorSchema, operatorRoles } from '@/lib/services/operators'
import {
  endSessionsOfOperator,
  setMfaRequired,
  setOperatorDisabled,
  setOperatorRole,
  unlockOperator,
} from '@/lib/services/portal-auth'

// Managing operators is sensitive: every action here asks for the password again after 10 minutes.

export const createOperatorAction = adminAction(
  { role: 'admin', schema: createOperatorSchema, sensitive: true },
  async (input, { actor }) => {
    const { operator, password } = await createOperator(actor, input)
    return { message: `Added ${operator.email} (${operator.role}).`, secret: password }
  },
)

export const setOperatorRoleAction = adminAction(
  { role: 'admin', schema: z.object({ operatorId: z.uuid(), role: z.enum(operatorRoles) }), sensitive: true },
  async (input, { actor }) => {
    const operator = await setOperatorRole(actor, input.operatorId, input.role)
    return { message: `${operator.email} is now ${input.role}; their sessions have ended.` }
  },
)

export const setOperatorDisabledAction = adminAction(
  { role: 'admin', schema: z.object({ operatorId: z.uuid(), disabled: z.enum(['true', 'false']) }), sensitive: true },
  async (input, { actor }) => {
    const disabled = input.disabled === 'true'
    const operator = await setOperatorDisabled(actor, input.operatorId, disabled)
    return { message: `${operator.email} is ${disabled ? 'disabled: their sessions have ended' : 'enabled'}.` }
  },
)

export const endOperatorSessionsAction = adminAction(
  { role: 'admin', schema: z.object({ operatorId: z.uuid() }), sensitive: true },
  async (input, { actor }) => {
    const { email, count } = await endSessionsOfOperator(actor, input.operatorId)
    return { message: `Ended ${count} session${count === 1 ? '' : 's'} of ${email}.` }
  },
)

export const unlockOperatorAction = adminAction(
  { role: 'admin', schema: z.object({ operatorId: z.uuid() }), sensitive: true },
  async (input, { actor }) => {
    const operator = await unlockOperator(actor, input.operatorId)
    return { message: `${operator.email} can sign in again.` }
  },
)

export const setRequireMfaAction = adminAction(
  { role: 'admin', schema: z.object({ required: z.enum(['true', 'false']) }), sensitive: true },
  async (input, { actor }) => {
    const required = input.required === 'true'
    await setMfaRequired(actor, required)
    return {
      message: required
        ? 'Two-factor sign-in is now required: operators without it enrol at their next request.'
        : 'Two-factor sign-in is now optional.',
    }
  },
)
