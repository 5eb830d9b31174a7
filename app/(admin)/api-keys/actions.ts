'use server'

import { z } from 'zod'
import { adminAction } from '@/lib/http/admin-action'
import { API_KEY_SCOPES, createApiKey, revokeApiKey } from '@/lib/services/api-keys'

const asArray = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value])

const apiKeyFormSchema = z.object({
  label: z
    .string()
    .trim()
    .min(1, 'A label is required: say which service uses the key.')
    .max(120, 'Label is at most 120 characters.'),
  scopes: z.preprocess(asArray, z.array(z.enum(API_KEY_SCOPES)).min(1, 'Choose at least one scope.')),
  expiresInDays: z.preprocess(
    (value) => (value === '' || value === undefined ? undefined : value === 'never' ? null : Number(value)),
    z.number('Expiry is a number of days.').nullable().optional(),
  ),
})

export const createApiKeyAction = adminAction(
  { role: 'admin', schema: apiKeyFormSchema, sensitive: true },
  async ({ expiresInDays, ...input }, { actor }) => {
    const { key, apiKey } = await createApiKey(actor, { ...input, ...(expiresInDays !== undefined ? { expiresInDays } : {}) })
    return { message: `API key ${key.prefix}… created.`, secret: apiKey }
  },
)

export const revokeApiKeyAction = adminAction(
  { role: 'admin', schema: z.object({ apiKeyId: z.uuid('Unknown API key.') }), sensitive: true },
  async (input, { actor }) => {
    await revokeApiKey(actor, input.apiKeyId)
    return { message: 'API key revoked: requests with it now get 401.' }
  },
)
