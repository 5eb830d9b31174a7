'use server'

import { z } from 'zod'
import { adminAction } from '@/lib/http/admin-action'
import { clearAttributeSchema, clearUserAttribute, setUserActive } from '@/lib/services/portal-users'

// Admin fixes on a user, through the same PATCH logic as SCIM requests; the services audit them.

export const clearAttributeAction = adminAction({ role: 'admin', schema: clearAttributeSchema }, async (input, { actor }) => {
  await clearUserAttribute(actor, input.userId, input.path)
  return { message: `Cleared ${input.path}.` }
})

export const setUserActiveAction = adminAction(
  { role: 'admin', schema: z.object({ userId: z.uuid(), active: z.enum(['true', 'false']) }) },
  async (input, { actor }) => {
    const active = input.active === 'true'
    await setUserActive(actor, input.userId, active)
    return { message: active ? 'User reactivated.' : 'User deactivated.' }
  },
)
