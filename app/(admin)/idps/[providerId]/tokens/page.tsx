import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { listTokensWithWarnings } from '@/lib/services/portal-overview'
import { SCOPES } from '@/lib/services/scim-access'
import { IdpTabs } from '@/components/admin/idp-tabs'
import { TokenTable } from '@/components/admin/token-table'
import { Card, PageHeader } from '@/components/ui/basics'
import { ActionForm, CheckboxGroup, SelectField, SubmitButton, TextField } from '@/components/ui/form'
import { createTokenAction, revokeTokenAction } from '../../actions'
import { loadProvider } from '../load-provider'

export const metadata: Metadata = { title: 'Secret tokens' }

const expiryOptions = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '180', label: '180 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
]

// Admins only: support staff get the not-found page, as if tokens did not exist.
export default async function TokensPage({ params }: { params: Promise<{ providerId: string }> }) {
  await requireOperator('admin')
  const { providerId } = await params
  const provider = await loadProvider(providerId)
  const tokens = await listTokensWithWarnings(providerId)
  return (
    <>
      <PageHeader title={`${provider.name}: secret tokens`} description="The IdP sends one of these as its bearer token. Only a hash is stored." />
      <IdpTabs providerId={provider.id} current="tokens" isAdmin />
      <Card title="Generate a token" className="mb-6 max-w-2xl">
        <ActionForm action={createTokenAction} className="space-y-4" secretLabel="Secret token" secretNote="Copy it into the IdP's Secret Token field now: it is shown only once. Only its prefix is kept.">
          <input type="hidden" name="providerId" value={provider.id} />
          <TextField name="label" label="Label" maxLength={120} hint="Where it is used, e.g. Entra production app" />
          <CheckboxGroup name="scopes" legend="Scopes" options={SCOPES.map((scope) => ({ value: scope, label: scope }))} defaultChecked={SCOPES} />
          <SelectField name="expiresInDays" label="Expires after" defaultValue="365" options={expiryOptions} />
          <SubmitButton>Generate token</SubmitButton>
        </ActionForm>
      </Card>
      <TokenTable rows={tokens} revoke={revokeTokenAction} />
    </>
  )
}
