'use server'

import { z } from 'zod'
import { adminAction } from '@/lib/http/admin-action'
import { setJitEnabled } from '@/lib/services/sign-ins'

export const setJitEnabledAction = adminAction(
  { role: 'admin', schema: z.object({ providerId: z.uuid('Unknown identity provider.'), enabled: z.enum(['true', 'false']) }) },
  async (input, { actor }) => {
    await setJitEnabled(actor, input.providerId, input.enabled === 'true')
    return {
      message:
        input.enabled === 'true'
          ? 'SSO sign-in now creates an account for a user SCIM has not provisioned yet.'
          : 'SSO sign-in now refuses users SCIM has not provisioned.',
    }
  },
)
