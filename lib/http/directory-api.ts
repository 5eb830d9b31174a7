import { z } from 'zod'
import type { DirectoryUser } from '../services/directory-users'
import { getDirectoryUser, listDirectoryUsers } from '../services/directory'
import { listEvents, USER_EVENT_TYPES, isUserEventType, type UserEventType } from '../services/events'
import { signIn, SignInRefusedError } from '../services/sign-ins'
import type { DirectoryRouteSpec } from './directory-route'
import { ProblemError } from './problem'

/**
 * The directory API: its schemas and its route table. Route files export `directoryRoute(<spec>)`; the
 * OpenAPI document is generated from this same table (directory-openapi.ts), so what is documented is what
 * the funnel validates.
 */

// ── Resources ────────────────────────────────────────────────────────────────────────────────────────────

const nullableText = z.string().nullable()

/** The named schemas of the API: the components of the OpenAPI document (a registry of our own, not zod's global one). */
export const apiSchemas = z.registry<{ id: string; description?: string }>()

function named<T extends z.ZodType>(id: string, description: string, schema: T): T {
  apiSchemas.add(schema, description ? { id, description } : { id })
  return schema
}

export const directoryUserSchema = named(
  'User',
  'A provisioned user, as every TraffiTech service sees it.',
  z.object({
    id: z.uuid(),
    providerId: z.uuid().describe('The identity provider (tenant) the user belongs to.'),
    externalId: nullableText.describe("The IdP's id for the user: Entra's objectId."),
    userName: z.string().describe("Entra's userPrincipalName."),
    email: nullableText.describe('The primary email.'),
    active: z.boolean().describe('False once the IdP deactivated the user: refuse sign-in.'),
    displayName: nullableText,
    givenName: nullableText,
    familyName: nullableText,
    title: nullableText,
    phoneNumbers: z.array(z.object({ value: z.string(), type: nullableText, primary: z.boolean() })),
    employeeNumber: nullableText,
    customAttributes: z.record(z.string(), z.unknown()).describe("The IdP's registered custom attributes, by registered name."),
    source: z.enum(['scim', 'sso', 'admin']).describe('What created the account.'),
    scimManaged: z.boolean().describe('Whether SCIM provisioning manages the account.'),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  }),
)

// The documented shape and the one toDirectoryUser builds are the same type.
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never
const userShapeMatches: SameType<z.infer<typeof directoryUserSchema>, DirectoryUser> = true
void userShapeMatches

export const userEventSchema = named(
  'UserEvent',
  'A change to a user, written in the same transaction as the change.',
  z.object({
    id: z.string().describe('evt_ followed by 32 hex digits; unique.'),
    type: z.enum(USER_EVENT_TYPES),
    createdAt: z.iso.datetime(),
    providerId: z.uuid(),
    data: z.object({
      user: directoryUserSchema,
      changes: z.array(z.object({ attribute: z.string(), old: z.unknown(), new: z.unknown() })).describe('Secrets are redacted.'),
    }),
  }),
)

export const problemSchema = named(
  'Problem',
  'RFC 9457 problem details: every error answer.',
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('Validation failures, by field.'),
  }),
)

export const userListSchema = named(
  'UserList',
  '',
  z.object({
    data: z.array(directoryUserSchema),
    next: z.string().nullable().describe('Pass as `cursor` for the next page; null at the end.'),
  }),
)

export const eventListSchema = named(
  'EventList',
  '',
  z.object({
    data: z.array(userEventSchema),
    next: z.string().describe('Pass as `after` next time; when nothing new committed it is the cursor you sent.'),
  }),
)

export const signInResultSchema = named('SignInResult', '', z.object({ user: directoryUserSchema }))

// ── Inputs ───────────────────────────────────────────────────────────────────────────────────────────────

const limitSchema = (fallback: number) =>
  z.coerce
    .number('limit is a number.')
    .int('limit is a whole number.')
    .min(1, 'limit is at least 1.')
    .max(1000, 'limit is at most 1000.')
    .default(fallback)

const providerFilter = z
  .uuid('providerId is the UUID of an identity provider.')
  .optional()
  .describe('Only users of this identity provider.')

export const listUsersQuerySchema = z.strictObject({
  providerId: providerFilter,
  updatedSince: z.iso
    .datetime({ offset: true, error: 'updatedSince is an ISO-8601 date-time with a zone, e.g. 2026-12-01T09:00:00Z.' })
    .transform((value) => new Date(value))
    .optional()
    .describe('Only users changed at or after this time.'),
  cursor: z.string().max(128, 'cursor is not one this API returned.').optional().describe('The `next` of the previous page.'),
  limit: limitSchema(100),
})

export const userIdParamsSchema = z.object({ id: z.uuid() })

export const listEventsQuerySchema = z.strictObject({
  after: z
    .string()
    .max(64, 'after is not a cursor this API returned.')
    .optional()
    .describe('The `next` of the previous page; omit to start at the oldest event kept.'),
  limit: limitSchema(100),
  providerId: providerFilter,
  types: z
    .string()
    .max(500, 'types is too long.')
    .transform((value, context) => {
      const types = [
        ...new Set(
          value
            .split(',')
            .map((type) => type.trim())
            .filter(Boolean),
        ),
      ]
      const unknown = types.filter((type) => !isUserEventType(type))
      if (unknown.length > 0 || types.length === 0) {
        context.addIssue({
          code: 'custom',
          message: `Unknown event type${unknown.length === 1 ? '' : 's'}: ${unknown.slice(0, 5).join(', ') || '(none given)'}. Types are ${USER_EVENT_TYPES.join(', ')}.`,
        })
        return z.NEVER
      }
      return types as UserEventType[]
    })
    .optional()
    .describe(`Comma-separated event types: ${USER_EVENT_TYPES.join(', ')}.`),
})

export const signInParamsSchema = z.object({ providerId: z.uuid() })

const claim = (name: string) =>
  z.string(`${name} is a string.`).trim().min(1, `${name} is required.`).max(256, `${name} is at most 256 characters.`)

export const signInBodySchema = z.strictObject({
  externalId: claim('externalId').describe("Entra's objectId (the oid claim) of the signed-in user."),
  userName: claim('userName').describe('The userPrincipalName (UPN).'),
  email: z.email('email is an email address.').max(320).optional(),
  displayName: z.string('displayName is a string.').trim().max(256, 'displayName is at most 256 characters.').optional(),
})

// ── Routes ───────────────────────────────────────────────────────────────────────────────────────────────

export const listUsersRoute = {
  method: 'GET',
  path: '/api/v1/users',
  operationId: 'listUsers',
  summary: 'List users, oldest change first',
  description:
    "Keyset-paged on (updatedAt, id). A user changed while you page moves to the end of the order and is served again, never missed. Changes appear here once they are DIRECTORY_SETTLE_MS old (5 s by default); GET /users/{id} and the events show them at once. When `next` is null, start your next sync with `updatedSince` = the last user's `updatedAt`.",
  scope: 'directory:read',
  query: listUsersQuerySchema,
  responses: { 200: { description: 'A page of users.', schema: userListSchema } },
  handle: async ({ query }) => ({ status: 200, body: await listDirectoryUsers(query) }),
} satisfies DirectoryRouteSpec<z.ZodObject<z.ZodRawShape>, typeof listUsersQuerySchema>

export const getUserRoute = {
  method: 'GET',
  path: '/api/v1/users/{id}',
  operationId: 'getUser',
  summary: 'Read one user',
  scope: 'directory:read',
  params: userIdParamsSchema,
  notFound: (params) => `No user '${params.id ?? ''}'.`,
  responses: { 200: { description: 'The user.', schema: directoryUserSchema } },
  problems: [404],
  handle: async ({ params }) => ({ status: 200, body: await getDirectoryUser(params.id) }),
} satisfies DirectoryRouteSpec<typeof userIdParamsSchema>

export const listEventsRoute = {
  method: 'GET',
  path: '/api/v1/events',
  operationId: 'listEvents',
  summary: 'Read user events, oldest first',
  description:
    'A consumer that follows `next` sees every committed event exactly once, in order, even under concurrent writes on several instances. Poll with the last `next` to wait for new events.',
  scope: 'events:read',
  query: listEventsQuerySchema,
  responses: { 200: { description: 'Events after the cursor.', schema: eventListSchema } },
  handle: async ({ query }) => ({ status: 200, body: await listEvents(query) }),
} satisfies DirectoryRouteSpec<z.ZodObject<z.ZodRawShape>, typeof listEventsQuerySchema>

export const signInRoute = {
  method: 'POST',
  path: '/api/v1/enterprise-idps/{providerId}/sign-ins',
  operationId: 'signIn',
  summary: 'Link an SSO sign-in to its account',
  description:
    'Call after validating the IdP assertion. 200: the existing account (matched by externalId, then userName ignoring case). 201: a new SSO account made just in time. 403: the account is deactivated (type …/account-deactivated), or the IdP makes no accounts at sign-in (…/jit-disabled). 404: unknown identity provider.',
  scope: 'sign-ins:write',
  params: signInParamsSchema,
  notFound: (params) => `No identity provider has the id '${params.providerId ?? ''}'.`,
  body: signInBodySchema,
  responses: {
    200: { description: 'The existing account.', schema: signInResultSchema },
    201: { description: 'The account made just now.', schema: signInResultSchema },
  },
  problems: [403, 404, 409],
  handle: async ({ params, body }) => {
    try {
      const result = await signIn(params.providerId, body)
      return { status: result.created ? 201 : 200, body: { user: result.user } }
    } catch (error) {
      if (error instanceof SignInRefusedError) {
        throw new ProblemError(403, error.message, {
          type: error.reason,
          title: error.reason === 'account-deactivated' ? 'Account deactivated' : 'Just-in-time accounts disabled',
        })
      }
      throw error
    }
  },
} satisfies DirectoryRouteSpec<typeof signInParamsSchema, z.ZodObject<z.ZodRawShape>, typeof signInBodySchema>

/** Every route of the API, for the OpenAPI document. */
export const DIRECTORY_ROUTES: readonly DirectoryRouteSpec[] = [
  listUsersRoute,
  getUserRoute,
  listEventsRoute,
  signInRoute,
] as unknown as readonly DirectoryRouteSpec[]
