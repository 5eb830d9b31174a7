'use server'

import { z } from 'zod'
import { adminAction } from '@/lib/http/admin-action'
import { clearAttributeSchema, clearUserAttribute, setUserActive } from '@/lib/services/portal-users'

// Admin fixes on a user, through the same PATCH logic as SCIM requests; audited here.

export const clearAttributeAction = adminAction({ role: 'admin', schema: clearAttributeSchema }, async (input) => {
  const { providerId, changes } = await clearUserAttribute(input.userId, input.path)
  return {
    message: `Cleared ${input.path}.`,
    audit: { action: 'user.clearAttribute', target: { type: 'user', id: input.userId, providerId }, details: { path: input.path, changes } },
  }
})

export const setUserActiveAction = adminAction(
  { role: 'admin', schema: z.object({ userId: z.uuid(), active: z.enum(['true', 'false']) }) },
  async (input) => {
    const active = input.active === 'true'
    const { providerId, changes } = await setUserActive(input.userId, active)
    return {
      message: active ? 'User reactivated.' : 'User deactivated.',
      audit: { action: active ? 'user.reactivate' : 'user.deactivate', target: { type: 'user', id: input.userId, providerId }, details: { changes } },
    }
  },
)
