import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { API_KEY_SCOPES, listApiKeys } from '@/lib/services/api-keys'
import { ApiKeyTable } from '@/components/admin/api-key-table'
import { Card, PageHeader, TextLink } from '@/components/ui/basics'
import { ActionForm, CheckboxGroup, SelectField, SubmitButton, TextField } from '@/components/ui/form'
import { createApiKeyAction, revokeApiKeyAction } from './actions'

export const metadata: Metadata = { title: 'API keys' }

const expiryOptions = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '180', label: '180 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never (not recommended)' },
]

const scopeHints: Record<(typeof API_KEY_SCOPES)[number], string> = {
  'directory:read': 'directory:read (GET /api/v1/users)',
  'events:read': 'events:read (GET /api/v1/events)',
  'sign-ins:write': 'sign-ins:write (the SSO sign-in link)',
}

// Admins create and revoke; support staff see the list.
export default async function ApiKeysPage() {
  const operator = await requireOperator()
  const isAdmin = operator.role === 'admin'
  const keys = await listApiKeys()
  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <span>
            Keys for TraffiTech services calling the directory API. Only a hash is stored. See the{' '}
            <TextLink href="/api-reference">API reference</TextLink>.
          </span>
        }
      />
      {isAdmin ? (
        <Card title="Create an API key" className="mb-6 max-w-2xl">
          <ActionForm
            action={createApiKeyAction}
            className="space-y-4"
            secretLabel="API key"
            secretNote="Store it in the service's secrets now: it is shown only once. Only its prefix is kept."
          >
            <TextField
              name="label"
              label="Label"
              maxLength={120}
              hint="Which service uses it, e.g. sign-in service (production)"
            />
            <CheckboxGroup
              name="scopes"
              legend="Scopes"
              options={API_KEY_SCOPES.map((scope) => ({ value: scope, label: scopeHints[scope] }))}
              defaultChecked={['directory:read']}
            />
            <SelectField name="expiresInDays" label="Expires after" defaultValue="365" options={expiryOptions} />
            <SubmitButton>Create API key</SubmitButton>
          </ActionForm>
        </Card>
      ) : null}
      <ApiKeyTable rows={keys} revoke={isAdmin ? revokeApiKeyAction : null} />
    </>
  )
}
