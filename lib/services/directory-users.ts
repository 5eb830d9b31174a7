import type { UserRow } from '../db/users'
import { ENTERPRISE_USER_URN } from '../scim/schema/user'

/**
 * The user as TraffiTech's own services see it: the directory API's resource and the `data.user` of every
 * event. One shape, built here only, so a webhook and an API read of the same user never disagree.
 */
export type DirectoryUser = {
  id: string
  providerId: string
  externalId: string | null
  userName: string
  email: string | null
  active: boolean
  displayName: string | null
  givenName: string | null
  familyName: string | null
  title: string | null
  phoneNumbers: { value: string; type: string | null; primary: boolean }[]
  employeeNumber: string | null
  /** Registered custom attributes by their registered name. */
  customAttributes: Record<string, unknown>
  source: 'scim' | 'sso' | 'admin'
  scimManaged: boolean
  createdAt: string
  updatedAt: string
}

type Json = Record<string, unknown>

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)
const object = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {})

function phoneNumbersOf(resource: Json): DirectoryUser['phoneNumbers'] {
  if (!Array.isArray(resource.phoneNumbers)) return []
  return resource.phoneNumbers.flatMap((entry) => {
    const phone = object(entry)
    const value = text(phone.value)
    return value ? [{ value, type: text(phone.type), primary: phone.primary === true }] : []
  })
}

export function toDirectoryUser(user: UserRow): DirectoryUser {
  const resource = object(user.resource)
  const name = object(resource.name)
  const enterprise = object(resource[ENTERPRISE_USER_URN])
  return {
    id: user.id,
    providerId: user.providerId,
    externalId: user.externalId,
    userName: user.userName,
    email: user.primaryEmail,
    active: user.active,
    displayName: text(resource.displayName),
    givenName: text(name.givenName),
    familyName: text(name.familyName),
    title: text(resource.title),
    phoneNumbers: phoneNumbersOf(resource),
    employeeNumber: text(enterprise.employeeNumber),
    customAttributes: { ...object(user.customAttributes) },
    source: user.source,
    scimManaged: user.scimManaged,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  }
}
