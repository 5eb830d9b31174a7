import 'server-only'
import { isUuid } from '../scim/ids'
import { z } from 'zod'
import { withTransaction } from '../db/client'
import { idpKinds } from '../db/enums'
import { deleteProviderRow, findProvider, insertProvider, listProviders, updateProvider } from '../db/identity-providers'
import { tenantUrlFor } from './tenant-url'
import { invalidateScimAccessCache } from './scim-access'
import { recordAudit, type Actor } from './audit'
import { NotFoundError } from './errors'

export { idpKinds }
export const createProviderSchema = z.object({
  name: z.string().trim().min(1, 'Name is required.').max(120, 'Name is at most 120 characters.'),
  kind: z.enum(idpKinds, { error: 'Kind must be entra, okta or generic.' }).default('entra'),
})
export type CreateProviderInput = z.input<typeof createProviderSchema>

// Each change commits with its audit event, or neither does.

export async function createIdentityProvider(actor: Actor, input: CreateProviderInput) {
  const data = createProviderSchema.parse(input)
  const provider = await withTransaction(async () => {
    const created = await insertProvider(data)
    await recordAudit(actor, 'idp.create', { type: 'identityProvider', id: created.id, providerId: created.id }, data)
    return created
  })
  return { ...provider, tenantUrl: tenantUrlFor(provider.id) }
}

export async function listIdentityProviders() {
  const providers = await listProviders()
  return providers.map((provider) => ({ ...provider, tenantUrl: tenantUrlFor(provider.id) }))
}

export async function getIdentityProvider(providerId: string) {
  const provider = isUuid(providerId) ? await findProvider(providerId) : null
  if (!provider) throw new NotFoundError(`No identity provider '${providerId}'.`)
  return { ...provider, tenantUrl: tenantUrlFor(provider.id) }
}

export async function setScimEnabled(actor: Actor, providerId: string, enabled: boolean) {
  await getIdentityProvider(providerId)
  const provider = await withTransaction(async () => {
    const updated = await updateProvider(providerId, { scimEnabled: enabled })
    if (!updated) throw new NotFoundError(`No identity provider '${providerId}'.`)
    await recordAudit(actor, enabled ? 'idp.enable' : 'idp.disable', { type: 'identityProvider', id: providerId, providerId })
    return updated
  })
  invalidateScimAccessCache()
  return provider
}

export async function deleteIdentityProvider(actor: Actor, providerId: string) {
  const provider = await getIdentityProvider(providerId)
  await withTransaction(async () => {
    if (!(await deleteProviderRow(providerId))) throw new NotFoundError(`No identity provider '${providerId}'.`)
    await recordAudit(actor, 'idp.delete', { type: 'identityProvider', id: providerId }, { name: provider.name })
  })
  invalidateScimAccessCache()
}
