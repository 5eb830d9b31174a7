/**
 * The SCIM resource registry: every endpoint under a tenant URL, once. The production dispatcher
 * (scim-dispatch.ts), the Next route files under app/scim (one-line re-exports of `scimHandlers`) and the
 * lowercase rewrites in next.config.ts are all derived from this table; scim-resources.test.ts fails when a
 * route file and the table disagree. This module holds no handler, so next.config.ts can import it without
 * loading the database: the handlers live in scim-handlers.ts, typed against this table.
 */

export type ScimMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export type ScimResourceEntry = {
  /** The path below the tenant URL, spelled as the app/scim folder is: `[id]` is one segment, `[...rest]` any. */
  readonly path: string
  readonly methods: readonly ScimMethod[]
}

export const scimResources = {
  // RFC 7644 §3.4.2 list, filter, sort and page; §3.3 create (or link an existing account by externalId)
  users: { path: 'Users', methods: ['GET', 'POST'] },
  // RFC 7644 §3.4.1, §3.5.1, §3.5.2, §3.6; POST is Users/.search (§3.4.3), any other id answers 405
  user: { path: 'Users/[id]', methods: ['GET', 'PUT', 'PATCH', 'DELETE', 'POST'] },
  // RFC 7644 §4, RFC 7643 §5
  serviceProviderConfig: { path: 'ServiceProviderConfig', methods: ['GET'] },
  // RFC 7644 §4, RFC 7643 §7: core, enterprise and this IdP's custom extension; one schema by its URN
  schemas: { path: 'Schemas', methods: ['GET'] },
  schema: { path: 'Schemas/[id]', methods: ['GET'] },
  // RFC 7644 §4, RFC 7643 §6: only User
  resourceTypes: { path: 'ResourceTypes', methods: ['GET'] },
  resourceType: { path: 'ResourceTypes/[id]', methods: ['GET'] },
  // Any other path (Groups, Bulk, Me, /.search, …): a SCIM error saying what is supported (unsupported.ts)
  unsupported: { path: '[...rest]', methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] },
} as const satisfies Record<string, ScimResourceEntry>

/**
 * What the catch-all answers for the resources this service does not offer (RFC 7644 §3.12: 501, operation
 * not supported); any other path is a 404 naming the supported ones. Matched on the path below the tenant URL.
 */
export const unsupportedResources: ReadonlyArray<{ readonly name: string; readonly pattern: RegExp; readonly detail: string }> = [
  {
    name: 'Groups',
    pattern: /^groups\b/i,
    detail:
      'TraffiTech provisions users only: group objects are not synced. Turn off group provisioning in the identity provider (assigning groups to choose which users are provisioned still works).',
  },
  { name: 'Bulk', pattern: /^bulk\b/i, detail: 'Bulk operations are not supported: send one request per user to /Users.' },
  {
    name: 'Me',
    pattern: /^me\b/i,
    detail: '/Me is not supported: this service is called by identity providers, not by users themselves.',
  },
  {
    name: '.search',
    pattern: /^\.search\/?$/i,
    detail: 'Searching across resource types is not supported: use POST /Users/.search.',
  },
]

export type ScimResourceName = keyof typeof scimResources

/** The handler methods of one resource, as the type checker knows them. */
export type MethodsOf<Name extends ScimResourceName> = (typeof scimResources)[Name]['methods'][number]

export const SCIM_TENANT_PATH = '/scim/v2/enterprise-idps/:providerId'

/** True for the catch-all entry, which the dispatcher falls back to instead of matching. */
export function isCatchAll(entry: ScimResourceEntry): boolean {
  return entry.path.startsWith('[...')
}

/**
 * Next's routes are case-sensitive; Entra appends /Users, other clients /users. Both reach one handler:
 * a lowercase rewrite for every named resource (the production dispatcher matches in any case by itself).
 */
export function lowercaseRewrites(): Array<{ source: string; destination: string }> {
  return Object.values(scimResources as Record<string, ScimResourceEntry>)
    .filter((entry) => !isCatchAll(entry) && entry.path.toLowerCase() !== entry.path)
    .map((entry) => {
      const nextPath = entry.path.replace(/\[(\w+)\]/g, ':$1')
      return { source: `${SCIM_TENANT_PATH}/${nextPath.toLowerCase()}`, destination: `${SCIM_TENANT_PATH}/${nextPath}` }
    })
}
