/**
 * The operator CLI: npm run admin -- <command>. Works on PGlite and PostgreSQL, applies pending migrations
 * first, and with --json prints one stable JSON document for automation.
 */
import './cli-logs-to-stderr'
import { parseArgs } from 'node:util'
import { ZodError } from 'zod'
import { closeDatabase, databaseReady, DatabaseLockedError } from '../lib/db/client'
import { API_KEY_SCOPES, createApiKey, listApiKeys, revokeApiKey, type ApiKeyScope } from '../lib/services/api-keys'
import { CLI_ACTOR } from '../lib/services/audit'
import { addCustomAttribute, listProviderCustomAttributes, removeCustomAttribute } from '../lib/services/custom-attributes'
import { createIdentityProvider, listIdentityProviders, setScimEnabled } from '../lib/services/identity-providers'
import { resetMfa } from '../lib/services/operator-mfa'
import { createOperator } from '../lib/services/operators'
import { createToken, listProviderTokens, revokeToken, rotateToken } from '../lib/services/tokens'
import { ConflictError, NotFoundError } from '../lib/services/errors'
import { createWebhook, listWebhooks, rotateWebhookSecret, setWebhookEnabled } from '../lib/services/webhooks'

const USAGE = `Usage: npm run admin -- <command> [options]

  idp create --name <name> [--kind entra|okta|generic] [--json]
  idp list [--json]
  idp enable <providerId>
  idp disable <providerId>
  token create --idp <providerId> [--label <text>] [--scopes users:read,users:write,users:delete]
               [--expires-in-days <n>] [--json]      (default 365 days; 0 = never expires)
  token list --idp <providerId> [--json]
  token rotate <tokenId> [--overlap-days <n>] [--expires-in-days <n>] [--json]
               (a new token; the old one keeps working for the overlap, default 7 days)
  token revoke <tokenId>
  attribute add --idp <providerId> --name <name> [--type string|integer|decimal|boolean|dateTime]
                [--description <text>] [--json]
  attribute list --idp <providerId> [--json]
  attribute remove --idp <providerId> --name <name>
  apikey create --label <text> --scopes directory:read,events:read,sign-ins:write
                [--expires-in-days <n>] [--json]     (a directory API key; default 365 days; 0 = never expires)
  apikey list [--json]
  apikey revoke <apiKeyId>
  operator create --email <email> --role admin|support [--json]
  operator reset-mfa --email <email> [--json]     (turns MFA off, passkeys included, and ends the operator's sessions)
  webhook create --url <url> [--idp <providerId>] [--events user.created,user.deactivated] [--json]
                 (every IdP and every event type when left out; the secret is shown once)
  webhook list [--json]
  webhook enable <webhookId>
  webhook disable <webhookId>
  webhook rotate-secret <webhookId> [--overlap-hours <n>] [--json]   (the old secret also signs for the overlap, default 24)`

class UsageError extends Error {}

const { values: options, positionals } = (() => {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        kind: { type: 'string' },
        idp: { type: 'string' },
        label: { type: 'string' },
        scopes: { type: 'string' },
        'expires-in-days': { type: 'string' },
        'overlap-days': { type: 'string' },
        'overlap-hours': { type: 'string' },
        url: { type: 'string' },
        events: { type: 'string' },
        type: { type: 'string' },
        description: { type: 'string' },
        email: { type: 'string' },
        role: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`)
    process.exit(2)
  }
})()

function required(name: keyof typeof options): string {
  const value = options[name]
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required.`)
  return value
}

function argument(index: number, what: string): string {
  const value = positionals[index]
  if (!value) throw new UsageError(`${what} is required.`)
  return value
}

/** A whole number of days, or undefined when the option is absent (the service's default applies). */
function days(name: 'expires-in-days' | 'overlap-days'): number | undefined {
  const value = options[name]
  if (value === undefined) return undefined
  if (!/^\d{1,5}$/.test(value)) throw new UsageError(`--${name} must be a whole number of days.`)
  return Number(value)
}

function print(json: unknown, text: string): void {
  console.log(options.json ? JSON.stringify(json, null, 2) : text)
}

function table(rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return '(none)'
  const keys = Object.keys(rows[0]!)
  const widths = keys.map((key) => Math.max(key.length, ...rows.map((row) => String(row[key] ?? '').length)))
  const line = (cells: string[]) => cells.map((cell, index) => cell.padEnd(widths[index]!)).join('  ')
  return [line(keys), ...rows.map((row) => line(keys.map((key) => String(row[key] ?? ''))))].join('\n')
}

async function run(): Promise<void> {
  const [group, action] = positionals
  const command = `${group ?? ''} ${action ?? ''}`.trim()
  switch (command) {
    case 'idp create': {
      const provider = await createIdentityProvider(CLI_ACTOR, {
        name: required('name'),
        kind: (options.kind ?? 'entra') as 'entra',
      })
      print(
        { providerId: provider.id, tenantUrl: provider.tenantUrl },
        `Created identity provider ${provider.name} (${provider.kind}).\nProvider id: ${provider.id}\nTenant URL:  ${provider.tenantUrl}`,
      )
      return
    }
    case 'idp list': {
      const providers = await listIdentityProviders()
      const rows = providers.map((provider) => ({
        providerId: provider.id,
        name: provider.name,
        kind: provider.kind,
        scimEnabled: provider.scimEnabled,
        tenantUrl: provider.tenantUrl,
      }))
      print(rows, table(rows))
      return
    }
    case 'idp enable':
    case 'idp disable': {
      const enabled = action === 'enable'
      const provider = await setScimEnabled(CLI_ACTOR, argument(2, 'providerId'), enabled)
      print(
        { providerId: provider.id, scimEnabled: provider.scimEnabled },
        `SCIM is now ${enabled ? 'enabled' : 'disabled'} for ${provider.name}.`,
      )
      return
    }
    case 'token create': {
      const expiresInDays = days('expires-in-days')
      const { token, secret } = await createToken(CLI_ACTOR, {
        providerId: required('idp'),
        label: options.label ?? '',
        ...(options.scopes ? { scopes: options.scopes.split(',').map((scope) => scope.trim()) as ['users:read'] } : {}),
        ...(expiresInDays !== undefined ? { expiresInDays } : {}),
      })
      print(
        { tokenId: token.id, token: secret, expiresAt: token.expiresAt?.toISOString() ?? null },
        `Secret token (shown once; paste it into the IdP now):\n\n  ${secret}\n\nToken id: ${token.id}\nScopes:   ${token.scopes.join(', ')}\nExpires:  ${token.expiresAt?.toISOString() ?? 'never'}`,
      )
      return
    }
    case 'token list': {
      const tokens = await listProviderTokens(required('idp'))
      const rows = tokens.map((token) => ({
        tokenId: token.id,
        label: token.label,
        prefix: `${token.prefix}…`,
        scopes: token.scopes.join(','),
        status: token.status,
        expiresAt: token.expiresAt?.toISOString() ?? null,
        lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
        createdBy: token.createdBy,
        createdAt: token.createdAt.toISOString(),
        neverExpires: token.neverExpires,
        rotatedFromId: token.rotatedFromId,
        replacedById: token.replacedById,
        usedLast: token.usedLast,
      }))
      print(rows, table(rows))
      return
    }
    case 'token rotate': {
      const overlapDays = days('overlap-days')
      const expiresInDays = days('expires-in-days')
      const { token, previous, secret } = await rotateToken(CLI_ACTOR, {
        tokenId: argument(2, 'tokenId'),
        ...(overlapDays !== undefined ? { overlapDays } : {}),
        ...(expiresInDays !== undefined ? { expiresInDays } : {}),
      })
      print(
        {
          tokenId: token.id,
          token: secret,
          expiresAt: token.expiresAt?.toISOString() ?? null,
          previousTokenId: previous.id,
          previousExpiresAt: previous.expiresAt.toISOString(),
        },
        `New secret token (shown once; paste it into the IdP now):\n\n  ${secret}\n\nToken id: ${token.id}\nScopes:   ${token.scopes.join(', ')}\n` +
          `Expires:  ${token.expiresAt?.toISOString() ?? 'never'}\n\nThe old token ${previous.id} keeps working until ${previous.expiresAt.toISOString()}.`,
      )
      return
    }
    case 'token revoke': {
      const token = await revokeToken(CLI_ACTOR, argument(2, 'tokenId'))
      print({ tokenId: token.id, revoked: true }, `Revoked token ${token.id}${token.label ? ` (${token.label})` : ''}.`)
      return
    }
    case 'apikey create': {
      const expiresInDays = days('expires-in-days')
      const scopes = required('scopes')
        .split(',')
        .map((scope) => scope.trim())
      const unknown = scopes.filter((scope) => !(API_KEY_SCOPES as readonly string[]).includes(scope))
      if (unknown.length > 0)
        throw new UsageError(`Unknown scope ${unknown.join(', ')}: scopes are ${API_KEY_SCOPES.join(', ')}.`)
      const { key, apiKey } = await createApiKey(CLI_ACTOR, {
        label: required('label'),
        scopes: scopes as ApiKeyScope[],
        ...(expiresInDays !== undefined ? { expiresInDays } : {}),
      })
      print(
        { apiKeyId: key.id, apiKey, expiresAt: key.expiresAt?.toISOString() ?? null },
        `API key (shown once; store it in the service's secrets now):\n\n  ${apiKey}\n\nKey id:  ${key.id}\nScopes:  ${key.scopes.join(', ')}\nExpires: ${key.expiresAt?.toISOString() ?? 'never'}`,
      )
      return
    }
    case 'apikey list': {
      const rows = (await listApiKeys()).map((key) => ({
        apiKeyId: key.id,
        label: key.label,
        prefix: `${key.prefix}…`,
        scopes: key.scopes.join(','),
        status: key.status,
        expiresAt: key.expiresAt?.toISOString() ?? null,
        lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
        createdBy: key.createdBy,
        createdAt: key.createdAt.toISOString(),
      }))
      print(rows, table(rows))
      return
    }
    case 'apikey revoke': {
      const key = await revokeApiKey(CLI_ACTOR, argument(2, 'apiKeyId'))
      print({ apiKeyId: key.id, revoked: true }, `Revoked API key ${key.id}${key.label ? ` (${key.label})` : ''}.`)
      return
    }
    case 'attribute add': {
      const attribute = await addCustomAttribute(CLI_ACTOR, {
        providerId: required('idp'),
        name: required('name'),
        type: (options.type ?? 'string') as 'string',
        description: options.description ?? '',
      })
      print(
        { id: attribute.id, name: attribute.name, type: attribute.type },
        `Registered custom attribute ${attribute.name} (${attribute.type}).`,
      )
      return
    }
    case 'attribute list': {
      const attributes = await listProviderCustomAttributes(required('idp'))
      const rows = attributes.map((attribute) => ({
        name: attribute.name,
        type: attribute.type,
        description: attribute.description,
        urn: attribute.acceptedNames[1],
      }))
      print(rows, table(rows))
      return
    }
    case 'attribute remove': {
      await removeCustomAttribute(CLI_ACTOR, required('idp'), required('name'))
      print({ removed: options.name }, `Removed custom attribute ${options.name}.`)
      return
    }
    case 'operator create': {
      const { operator, password } = await createOperator(CLI_ACTOR, {
        email: required('email'),
        role: required('role') as 'admin',
      })
      print(
        { email: operator.email, password },
        `Created ${operator.role} ${operator.email}.\nPassword (shown once): ${password}`,
      )
      return
    }
    case 'operator reset-mfa': {
      const result = await resetMfa(CLI_ACTOR, required('email'))
      print(
        { operatorId: result.id, email: result.email, hadMfa: result.hadMfa, endedSessions: result.endedSessions },
        `${result.hadMfa ? 'Reset' : 'No MFA was set up for'} ${result.email}; ended ${result.endedSessions} session(s). ` +
          'They sign in with their password and enrol again (at once, when MFA is required).',
      )
      return
    }
    case 'webhook create': {
      const { webhook, secret } = await createWebhook(CLI_ACTOR, {
        url: required('url'),
        providerId: options.idp ?? null,
        eventTypes: (options.events ?? '')
          .split(',')
          .map((type) => type.trim())
          .filter(Boolean) as ['user.created'],
      })
      print(
        { webhookId: webhook.id, secret },
        `Registered webhook ${webhook.id} for ${webhook.url}.\nSigning secret (shown once; give it to the receiver now):\n\n  ${secret}\n\n` +
          `Identity provider: ${webhook.providerId ?? 'all'}\nEvents: ${webhook.eventTypes.length > 0 ? webhook.eventTypes.join(', ') : 'all'}`,
      )
      return
    }
    case 'webhook list': {
      const rows = (await listWebhooks()).map((webhook) => ({
        webhookId: webhook.id,
        url: webhook.url,
        providerId: webhook.providerId,
        eventTypes: webhook.eventTypes.join(',') || 'all',
        enabled: webhook.enabled,
        disabledReason: webhook.disabledReason,
        successRate24h: webhook.successRate24h === null ? null : Math.round(webhook.successRate24h * 1000) / 10,
        lastAttemptAt: webhook.lastAttemptAt?.toISOString() ?? null,
        lastStatusCode: webhook.lastStatusCode,
        rotationEndsAt: webhook.rotationEndsAt?.toISOString() ?? null,
      }))
      print(rows, table(rows))
      return
    }
    case 'webhook enable':
    case 'webhook disable': {
      const enabled = action === 'enable'
      const webhook = await setWebhookEnabled(CLI_ACTOR, argument(2, 'webhookId'), enabled)
      print(
        { webhookId: webhook.id, enabled: webhook.enabled },
        `Webhook ${webhook.id} is now ${enabled ? 'enabled' : 'disabled'}.`,
      )
      return
    }
    case 'webhook rotate-secret': {
      const value = options['overlap-hours']
      if (value !== undefined && !/^\d{1,4}$/.test(value))
        throw new UsageError('--overlap-hours must be a whole number of hours.')
      const { webhook, secret } = await rotateWebhookSecret(CLI_ACTOR, {
        webhookId: argument(2, 'webhookId'),
        ...(value !== undefined ? { overlapHours: Number(value) } : {}),
      })
      print(
        { webhookId: webhook.id, secret, previousSecretExpiresAt: webhook.rotationEndsAt?.toISOString() ?? null },
        `New signing secret (shown once):\n\n  ${secret}\n\n` +
          (webhook.rotationEndsAt
            ? `The old secret also signs until ${webhook.rotationEndsAt.toISOString()}.`
            : 'The old secret no longer signs.'),
      )
      return
    }
    default:
      throw new UsageError(command ? `Unknown command '${command}'.` : 'No command given.')
  }
}

async function main(): Promise<number> {
  if (options.help) {
    console.log(USAGE)
    return 0
  }
  try {
    await databaseReady()
    await run()
    return 0
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`)
      return 2
    }
    if (error instanceof ZodError) {
      console.error(error.issues.map((issue) => issue.message).join('\n'))
      return 2
    }
    if (error instanceof NotFoundError || error instanceof ConflictError || error instanceof DatabaseLockedError) {
      console.error(error.message)
      return 1
    }
    throw error
  } finally {
    await closeDatabase().catch(() => {})
  }
}

process.exitCode = await main()
