import { env } from '../env'
import { resourceTypes, schemaDocuments, serviceProviderConfig } from '../scim/discovery'
import { notFound } from '../scim/errors'
import { createOrLinkUser, deleteUser, getUser, listUsers, patchUser, replaceUser } from '../services/users'
import {
  deletedUserOutcome,
  readListQuery,
  SEARCH_ID,
  searchOutcome,
  userListOutcome,
  userOutcome,
  writtenUserOutcome,
} from './scim-response'
import type { MethodsOf, ScimResourceName } from './scim-resources'
import { scimRoute, type ScimHandler } from './scim-route'
import { unsupportedResource } from './unsupported'
import { fromWebRequest, toWebResponse } from './scim-exchange'

/**
 * The handlers of every resource in the registry (scim-resources.ts), keyed by its names: the type checker
 * refuses a resource without handlers, or a handler for a method the registry does not list.
 */
type ScimHandlers = { readonly [Name in ScimResourceName]: { readonly [Method in MethodsOf<Name>]: ScimHandler } }

export const scimHandlers = {
  users: {
    GET: scimRoute({
      scope: 'users:read',
      handle: async (context) => userListOutcome(context, await listUsers(context.tenant, readListQuery(context.url))),
    }),
    POST: scimRoute({
      scope: 'users:write',
      readBody: true,
      handle: async (context) =>
        writtenUserOutcome(context, await createOrLinkUser(context.tenant, context.body, context.compat), 201),
    }),
  },
  user: {
    GET: scimRoute({
      scope: 'users:read',
      handle: async (context) => userOutcome(context, await getUser(context.tenant, context.resourceId!)),
    }),
    PUT: scimRoute({
      scope: 'users:write',
      readBody: true,
      handle: async (context) =>
        writtenUserOutcome(
          context,
          await replaceUser(
            context.tenant,
            context.resourceId!,
            context.body,
            context.request.header('if-match'),
            context.compat,
          ),
          200,
        ),
    }),
    PATCH: scimRoute({
      scope: 'users:write',
      readBody: true,
      handle: async (context) =>
        writtenUserOutcome(
          context,
          await patchUser(context.tenant, context.resourceId!, context.body, context.request.header('if-match'), context.compat),
          200,
        ),
    }),
    DELETE: scimRoute({
      scope: 'users:delete',
      handle: async (context) => deletedUserOutcome(await deleteUser(context.tenant, context.resourceId!)),
    }),
    POST: scimRoute({
      scope: 'users:read',
      readBody: (id) => id === SEARCH_ID,
      handle: async (context) => searchOutcome(context),
    }),
  },
  serviceProviderConfig: {
    GET: scimRoute({
      scope: null,
      handle: async (context) => ({
        status: 200,
        body: serviceProviderConfig(context.baseUrl, env().SCIM_MAX_BODY_BYTES),
        operation: 'discovery',
      }),
    }),
  },
  schemas: {
    GET: scimRoute({
      scope: null,
      handle: async (context) => ({
        status: 200,
        body: schemaDocuments(context.baseUrl, context.tenant.schema).list,
        operation: 'discovery',
      }),
    }),
  },
  schema: {
    GET: scimRoute({
      scope: null,
      handle: async (context) => {
        const document = schemaDocuments(context.baseUrl, context.tenant.schema).byId(context.resourceId!)
        if (!document) throw notFound(`No schema '${context.resourceId}'.`)
        return { status: 200, body: document, operation: 'discovery' }
      },
    }),
  },
  resourceTypes: {
    GET: scimRoute({
      scope: null,
      handle: async (context) => ({
        status: 200,
        body: resourceTypes(context.baseUrl, context.tenant.schema).list,
        operation: 'discovery',
      }),
    }),
  },
  resourceType: {
    GET: scimRoute({
      scope: null,
      handle: async (context) => {
        if (context.resourceId?.toLowerCase() !== 'user')
          throw notFound(`No resource type '${context.resourceId}': only User is provisioned.`)
        return { status: 200, body: resourceTypes(context.baseUrl, context.tenant.schema).userType, operation: 'discovery' }
      },
    }),
  },
  unsupported: {
    GET: unsupportedResource,
    POST: unsupportedResource,
    PUT: unsupportedResource,
    PATCH: unsupportedResource,
    DELETE: unsupportedResource,
  },
} as const satisfies ScimHandlers

type NextRouteContext = { params: Promise<Record<string, string | string[] | undefined>> }
type WebScimHandler = (request: Request, context: NextRouteContext) => Promise<Response>
type WebScimHandlers = { readonly [Name in ScimResourceName]: { readonly [Method in MethodsOf<Name>]: WebScimHandler } }

/** A handler as a Next route export, for the app/scim route files (used under `next dev`; server.ts skips Next). */
function webHandler(handler: ScimHandler): WebScimHandler {
  return async (request, context) => {
    const params = await context.params
    const id = typeof params.id === 'string' ? params.id : undefined
    const answer = await handler(fromWebRequest(request), {
      providerId: String(params.providerId ?? ''),
      ...(id === undefined ? {} : { id }),
    })
    return toWebResponse(answer)
  }
}

export const scimRouteHandlers = Object.fromEntries(
  Object.entries(scimHandlers).map(([name, methods]) => [
    name,
    Object.fromEntries(Object.entries(methods).map(([method, handler]) => [method, webHandler(handler)])),
  ]),
) as unknown as WebScimHandlers
