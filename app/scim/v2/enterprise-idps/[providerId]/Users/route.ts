import { scimRoute } from '@/lib/http/scim-route'
import { readListQuery, userListOutcome, writtenUserOutcome } from '@/lib/http/scim-response'
import { createOrLinkUser, listUsers } from '@/lib/services/users'

// GET …/Users – RFC 7644 §3.4.2 list, filter, sort and page
export const GET = scimRoute({
  scope: 'users:read',
  handle: async (context) => userListOutcome(context, await listUsers(context.tenant, readListQuery(context.url))),
})

// POST …/Users – RFC 7644 §3.3 create, or link an existing account by externalId
export const POST = scimRoute({
  scope: 'users:write',
  readBody: true,
  handle: async (context) =>
    writtenUserOutcome(context, await createOrLinkUser(context.tenant, context.body, context.compat), 201),
})
