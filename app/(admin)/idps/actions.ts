'use server'

import { z } from 'zod'
import { adminAction, FieldError } from '@/lib/http/admin-action'
import {
  addCustomAttribute,
  attributeTypes,
  customAttributeSchema,
  editCustomAttribute,
  removeCustomAttribute,
} from '@/lib/services/custom-attributes'
import {
  createIdentityProvider,
  createProviderSchema,
  deleteIdentityProvider,
  getIdentityProvider,
  setScimEnabled,
} from '@/lib/services/identity-providers'
import { SCOPES } from '@/lib/services/scim-access'
import { createToken, listProviderTokens, revokeToken, rotateToken } from '@/lib/services/tokens'

// Identity providers, their tokens and custom attributes. The services record their own audit events.

const providerIdSchema = z.uuid('Unknown identity provider.')
const asArray = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value])

export const createIdpAction = adminAction({ role: 'admin', schema: createProviderSchema }, async (input, { actor }) => {
  const provider = await createIdentityProvider(actor, input)
  return { message: `Registered ${provider.name}.`, redirectTo: `/idps/${provider.id}` }
})

export const setScimEnabledAction = adminAction(
  { role: 'admin', schema: z.object({ providerId: providerIdSchema, enabled: z.enum(['true', 'false']) }) },
  async (input, { actor }) => {
    await setScimEnabled(actor, input.providerId, input.enabled === 'true')
    return { message: input.enabled === 'true' ? 'SCIM is enabled.' : 'SCIM is disabled: the IdP now gets 403 answers.' }
  },
)

export const deleteIdpAction = adminAction(
  { role: 'admin', schema: z.object({ providerId: providerIdSchema, confirmation: z.string() }), sensitive: true },
  async (input, { actor }) => {
    const provider = await getIdentityProvider(input.providerId)
    if (input.confirmation !== provider.name) {
      throw new FieldError('confirmation', `Type the name '${provider.name}' exactly.`)
    }
    await deleteIdentityProvider(actor, input.providerId)
    return { message: `Deleted ${provider.name}.`, redirectTo: '/idps' }
  },
)

/** A number of days from a select or field; `never` is the explicit choice of a token without expiry. */
const daysField = (message: string) =>
  z.preprocess(
    (value) => (value === '' || value === undefined ? undefined : value === 'never' ? null : Number(value)),
    z.number(message).nullable().optional(),
  )

const tokenFormSchema = z.object({
  providerId: providerIdSchema,
  label: z.string().trim().max(120, 'Label is at most 120 characters.').default(''),
  scopes: z.preprocess(asArray, z.array(z.enum(SCOPES)).min(1, 'Choose at least one scope.')),
  expiresInDays: daysField('Expiry is a number of days.'),
})

export const createTokenAction = adminAction(
  { role: 'admin', schema: tokenFormSchema, sensitive: true },
  async ({ expiresInDays, ...input }, { actor }) => {
    const { token, secret } = await createToken(actor, { ...input, ...(expiresInDays !== undefined ? { expiresInDays } : {}) })
    return { message: `Token ${token.prefix}… created.`, secret }
  },
)

/** The token must belong to the IdP whose page the form is on. */
async function ensureProviderToken(providerId: string, tokenId: string) {
  const tokens = await listProviderTokens(providerId)
  if (!tokens.some((token) => token.id === tokenId)) throw new FieldError('tokenId', 'Unknown token.')
}

export const rotateTokenAction = adminAction(
  {
    role: 'admin',
    schema: z.object({
      providerId: providerIdSchema,
      tokenId: z.uuid('Unknown token.'),
      overlapDays: z.preprocess(
        (value) => (value === '' || value === undefined ? undefined : Number(value)),
        z.number('The overlap is a number of days.').optional(),
      ),
    }),
    sensitive: true,
  },
  async (input, { actor }) => {
    await ensureProviderToken(input.providerId, input.tokenId)
    const { token, previous, secret } = await rotateToken(actor, {
      tokenId: input.tokenId,
      ...(input.overlapDays !== undefined ? { overlapDays: input.overlapDays } : {}),
    })
    return {
      message: `Token ${token.prefix}… replaces ${previous.prefix}…, which keeps working until ${previous.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
      secret,
    }
  },
)

export const revokeTokenAction = adminAction(
  { role: 'admin', schema: z.object({ providerId: providerIdSchema, tokenId: z.uuid('Unknown token.') }), sensitive: true },
  async (input, { actor }) => {
    await ensureProviderToken(input.providerId, input.tokenId)
    await revokeToken(actor, input.tokenId)
    return { message: 'Token revoked: requests with it now get 401.' }
  },
)

export const addAttributeAction = adminAction({ role: 'admin', schema: customAttributeSchema }, async (input, { actor }) => {
  const attribute = await addCustomAttribute(actor, input)
  return { message: `Added ${attribute.name}. It is in /Schemas now.` }
})

export const editAttributeAction = adminAction(
  {
    role: 'admin',
    schema: z.object({
      providerId: providerIdSchema,
      name: z.string().min(1),
      type: z.enum(attributeTypes, { error: 'Choose a type.' }),
      description: z.string().trim().max(500, 'Description is at most 500 characters.').default(''),
    }),
  },
  async (input, { actor }) => {
    await editCustomAttribute(actor, input.providerId, input.name, { type: input.type, description: input.description })
    return { message: `Saved ${input.name}.` }
  },
)

export const removeAttributeAction = adminAction(
  { role: 'admin', schema: z.object({ providerId: providerIdSchema, name: z.string().min(1) }) },
  async (input, { actor }) => {
    await removeCustomAttribute(actor, input.providerId, input.name)
    return { message: `Removed ${input.name}. Values the IdP sends for it are discarded from now on.` }
  },
)
