import { withTransaction } from '../db/client'
import { findSignInAccount, findSignInProvider, setProviderJitEnabled } from '../db/directory'
import { UniqueViolationError } from '../db/sql'
import { insertUser, type UserRow } from '../db/users'
import { diffResources } from '../scim/diff'
import { isUuid } from '../scim/ids'
import { recordAudit, type Actor } from './audit'
import { toDirectoryUser, type DirectoryUser } from './directory-users'
import { ConflictError, NotFoundError } from './errors'
import { recordUserEvent } from './events'

/**
 * The SSO sign-in link: TraffiTech's sign-in service, having validated the IdP's assertion, asks which account
 * the person signs in to. An existing account is matched by externalId (Entra's objectId), then by userName;
 * a deactivated one is refused, so deprovisioning in Entra takes effect at the next sign-in. Without an
 * account, one is made just in time (when the IdP allows it) as an SSO account SCIM does not manage yet: a
 * later SCIM POST with the same externalId links to it and keeps its id.
 */

export type SignInClaims = { externalId: string; userName: string; email?: string | undefined; displayName?: string | undefined }

export type SignInResult = { created: boolean; user: DirectoryUser }

/** Why a sign-in is refused: the account exists but must not be used, or none may be made. */
export class SignInRefusedError extends Error {
  constructor(
    readonly reason: 'account-deactivated' | 'jit-disabled',
    message: string,
  ) {
    super(message)
  }
}

function unknownProvider(providerId: string) {
  return new NotFoundError(`No identity provider has the id '${providerId}'.`)
}

function existingAccount(user: UserRow): SignInResult {
  if (!user.active) {
    throw new SignInRefusedError('account-deactivated', `The account '${user.userName}' is deactivated; sign-in is refused.`)
  }
  return { created: false, user: toDirectoryUser(user) }
}

export async function signIn(providerId: string, claims: SignInClaims): Promise<SignInResult> {
  const provider = isUuid(providerId) ? await findSignInProvider(providerId) : undefined
  if (!provider) throw unknownProvider(providerId)
  const found = await findSignInAccount(providerId, claims.externalId, claims.userName)
  if (found) return existingAccount(found)
  if (!provider.jitEnabled) {
    throw new SignInRefusedError(
      'jit-disabled',
      `No account for '${claims.userName}', and identity provider '${provider.name}' does not create accounts at sign-in: provision the user with SCIM first.`,
    )
  }
  const resource = {
    userName: claims.userName,
    externalId: claims.externalId,
    active: true,
    ...(claims.displayName ? { displayName: claims.displayName } : {}),
    ...(claims.email ? { emails: [{ value: claims.email, type: 'work', primary: true }] } : {}),
  }
  try {
    const created = await withTransaction(async () => {
      const user = await insertUser(providerId, { resource, customAttributes: {}, source: 'sso', scimManaged: false })
      await recordUserEvent('user.created', user, diffResources({}, resource))
      return user
    })
    return { created: true, user: toDirectoryUser(created) }
  } catch (error) {
    if (!(error instanceof UniqueViolationError)) throw error
  }
  // A concurrent sign-in (or SCIM) made the account first: that one is the answer.
  const raced = await findSignInAccount(providerId, claims.externalId, claims.userName)
  if (raced) return existingAccount(raced)
  throw new ConflictError(
    `An account with userName '${claims.userName}' or externalId '${claims.externalId}' exists in a state that cannot be matched; retry.`,
  )
}

export async function setJitEnabled(actor: Actor, providerId: string, enabled: boolean): Promise<void> {
  await withTransaction(async () => {
    if (!isUuid(providerId) || (await setProviderJitEnabled(providerId, enabled)) === 0) throw unknownProvider(providerId)
    await recordAudit(actor, enabled ? 'idp.jit.enable' : 'idp.jit.disable', {
      type: 'identityProvider',
      id: providerId,
      providerId,
    })
  })
}
