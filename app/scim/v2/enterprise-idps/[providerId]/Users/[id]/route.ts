import { scimRoute } from '@/lib/http/scim-route'
import { SEARCH_ID, searchOutcome, deletedUserOutcome, userOutcome, writtenUserOutcome } from '@/lib/http/scim-response'
import { deleteUser, getUser, patchUser, replaceUser } from '@/lib/services/users'

// GET …/Users/[id] – RFC 7644 §3.4.1 retrieve
export const GET = scimRoute({
  scope: 'users:read',
  handle: async (context) => userOutcome(context, await getUser(context.tenant, context.resourceId!)),
})

// PUT …/Users/[id] – RFC 7644 §3.5.1 replace
export const PUT = scimRoute({
  scope: 'users:write',
  readBody: true,
  handle: async (context) =>
    writtenUserOutcome(
      context,
      await replaceUser(context.tenant, context.resourceId!, context.body, context.request.headers.get('if-match'), context.compat),
      200,
    ),
})

// PATCH …/Users/[id] – RFC 7644 §3.5.2 partial update, atomic
export const PATCH = scimRoute({
  scope: 'users:write',
  readBody: true,
  handle: async (context) =>
    writtenUserOutcome(
      context,
      await patchUser(context.tenant, context.resourceId!, context.body, context.request.headers.get('if-match'), context.compat),
      200,
    ),
})

// DELETE …/Users/[id] – RFC 7644 §3.6 hard delete
export const DELETE = scimRoute({
  scope: 'users:delete',
  handle: async (context) => deletedUserOutcome(await deleteUser(context.tenant, context.resourceId!)),
})

// POST …/Users/.search – RFC 7644 §3.4.3 query in the body; any other id answers 405
export const POST = scimRoute({
  scope: 'users:read',
  readBody: (id) => id === SEARCH_ID,
  handle: async (context) => searchOutcome(context),
})
