import type { UserSchema } from './schema/tenant-schema'
import { CORE_USER_URN, ENTERPRISE_USER_URN } from './schema/user'

/** RFC 7644 §3.4.2: the list envelope. */
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'

/** What the database holds for one user, in protocol terms. */
export type StoredUser = {
  id: string
  /** Core and enterprise attributes with canonical names (no id, meta, schemas, custom attributes). */
  resource: Record<string, unknown>
  /** Registered custom attribute values keyed by registered name. */
  customAttributes: Record<string, unknown>
  version: number
  createdAt: Date
  updatedAt: Date
}

/** RFC 7643 §3.1 `meta.version` and the HTTP ETag (RFC 7644 §3.14): weak, one per stored version. */
export function etagFor(version: number): string {
  return `W/"${version}"`
}

/** Whether an If-Match or If-None-Match list (RFC 9110 §13.1) names this version, or is `*`. */
export function etagListMatches(header: string, version: number): boolean {
  const current = etagFor(version)
  return header.split(',').some((tag) => {
    const trimmed = tag.trim()
    return trimmed === '*' || trimmed === current || trimmed === current.slice(2)
  })
}

/** RFC 7644 §3.14: true when an If-Match header allows the write to proceed. */
export function ifMatchAllows(ifMatch: string | null, version: number): boolean {
  return !ifMatch || etagListMatches(ifMatch, version)
}

/** The full SCIM User representation (RFC 7643 §4.1, §3.1) for one IdP's schema. */
export function toScimUser(user: StoredUser, schema: UserSchema, location: string): Record<string, unknown> {
  const registered = schema.schemas[2].attributes
  const custom: Record<string, unknown> = {}
  for (const attribute of registered) {
    const value = user.customAttributes[attribute.name]
    if (value !== undefined && value !== null) custom[attribute.name] = value
  }
  const schemas = [CORE_USER_URN]
  if (user.resource[ENTERPRISE_USER_URN]) schemas.push(ENTERPRISE_USER_URN)
  if (Object.keys(custom).length > 0) schemas.push(schema.extensionUrn)
  const { active, ...attributes } = user.resource
  return {
    schemas,
    id: user.id,
    ...attributes,
    // A deactivated user must still show `active` (Entra's validator checks it on disabled users).
    active: active !== false,
    ...(Object.keys(custom).length > 0 ? { [schema.extensionUrn]: custom } : {}),
    meta: {
      resourceType: 'User',
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location,
      version: etagFor(user.version),
    },
  }
}

/**
 * A ListResponse (RFC 7644 §3.4.2): paged by startIndex, or by cursor (RFC 9865), where `nextCursor` is left
 * out on the last page and there is no startIndex.
 */
export function listResponse(
  resources: unknown[],
  totalResults: number,
  paging: { startIndex: number } | { nextCursor: string | undefined },
) {
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults,
    ...('startIndex' in paging ? { startIndex: paging.startIndex } : {}),
    itemsPerPage: resources.length,
    ...('nextCursor' in paging && paging.nextCursor !== undefined ? { nextCursor: paging.nextCursor } : {}),
    Resources: resources,
  }
}
