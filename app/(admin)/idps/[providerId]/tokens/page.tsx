import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { listTokensWithWarnings } from '@/lib/services/portal-overview'
import { SCOPES } from '@/lib/services/scim-access'
import { DEFAULT_ROTATION_OVERLAP_DAYS, MAX_ACTIVE_TOKENS } from '@/lib/services/tokens'
import { IdpPageHeader } from '@/components/admin/idp-tabs'
import { TokenTable } from '@/components/admin/token-table'
import { Card } from '@/components/ui/basics'
import { ActionForm, CheckboxGroup, SelectField, SubmitButton, TextField } from '@/components/ui/form'
import { createTokenAction, revokeTokenAction, rotateTokenAction } from '../../actions'
import { loadProvider } from '../load-provider'

export const metadata: Metadata = { title: 'Secret tokens' }

const expiryOptions = [
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '180', label: '180 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never (not recommended)' },
]

const overlapOptions = [1, 3, 7, 14, 30].map((days) => ({ value: String(days), label: days === 1 ? '1 day' : `${days} days` }))

// Admins only: support staff get the not-found page, as if tokens did not exist.
export default async function TokensPage({ params }: { params: Promise<{ providerId: string }> }) {
  await requireOperator('admin')
  const { providerId } = await params
  const provider = await loadProvider(providerId)
  const tokens = await listTokensWithWarnings(providerId)
  const active = tokens.filter((token) => token.status === 'active')
  const rotatable = active.filter((token) => !token.replacedById)
  return (
    <>
      <IdpPageHeader
        provider={provider}
        section="secret tokens"
        current="tokens"
        isAdmin
        description="The IdP sends one of these as its bearer token. Only a hash is stored."
      />
      <Card title="Generate a token" className="mb-6 max-w-2xl">
        <ActionForm
          action={createTokenAction}
          className="space-y-4"
          secretLabel="Secret token"
          secretNote="Copy it into the IdP's Secret Token field now: it is shown only once. Only its prefix is kept."
        >
          <input type="hidden" name="providerId" value={provider.id} />
          <TextField name="label" label="Label" maxLength={120} hint="Where it is used, e.g. Entra production app" />
          <CheckboxGroup
            name="scopes"
            legend="Scopes"
            options={SCOPES.map((scope) => ({ value: scope, label: scope }))}
            defaultChecked={SCOPES}
          />
          <SelectField name="expiresInDays" label="Expires after" defaultValue="365" options={expiryOptions} />
          <SubmitButton>Generate token</SubmitButton>
        </ActionForm>
      </Card>
      {rotatable.length > 0 ? (
        <Card title="Rotate a token" className="mb-6 max-w-2xl">
          <p className="mb-3 text-sm text-slate-700">
            Issues a new token with the same label and scopes. The old one keeps working for the overlap, so the IdP can be given
            the new one without an outage; the list shows which one the IdP used last.
          </p>
          <ActionForm
            action={rotateTokenAction}
            className="space-y-4"
            secretLabel="New secret token"
            secretNote="Paste it into the IdP's Secret Token field before the overlap ends: it is shown only once."
          >
            <input type="hidden" name="providerId" value={provider.id} />
            <SelectField
              name="tokenId"
              label="Token to replace"
              options={rotatable.map((token) => ({
                value: token.id,
                label: `${token.prefix}…${token.label ? ` (${token.label})` : ''}`,
              }))}
            />
            <SelectField
              name="overlapDays"
              label="Old token keeps working for"
              defaultValue={String(DEFAULT_ROTATION_OVERLAP_DAYS)}
              options={overlapOptions}
            />
            <SubmitButton>Rotate token</SubmitButton>
          </ActionForm>
        </Card>
      ) : null}
      <p className="mb-2 text-sm text-slate-600">
        At most {MAX_ACTIVE_TOKENS} tokens of an identity provider can be active at once; {active.length} are.
      </p>
      <TokenTable rows={tokens} revoke={revokeTokenAction} />
    </>
  )
}
