import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { idpKinds } from '@/lib/services/identity-providers'
import { listProviderSummaries } from '@/lib/services/portal-overview'
import { IdpTable } from '@/components/admin/idp-table'
import { Card, PageHeader } from '@/components/ui/basics'
import { ActionForm, SelectField, SubmitButton, TextField } from '@/components/ui/form'
import { createIdpAction } from './actions'

export const metadata: Metadata = { title: 'Identity providers' }

const kindLabels = { entra: 'Microsoft Entra ID', okta: 'Okta', generic: 'Other SCIM 2.0 client' } as const

export default async function IdpsPage() {
  const operator = await requireOperator()
  const rows = await listProviderSummaries()
  return (
    <>
      <PageHeader
        title="Identity providers"
        description="Each identity provider pushes users to its own Tenant URL with its own tokens."
      />
      <IdpTable rows={rows} />
      {operator.role === 'admin' ? (
        <Card title="Register an identity provider" className="mt-6 max-w-xl">
          <ActionForm action={createIdpAction} className="space-y-4">
            <TextField name="name" label="Name" required maxLength={120} hint="For example: Contoso Entra ID" />
            <SelectField
              name="kind"
              label="Kind"
              defaultValue="entra"
              options={idpKinds.map((kind) => ({ value: kind, label: kindLabels[kind] }))}
            />
            <SubmitButton>Register</SubmitButton>
          </ActionForm>
        </Card>
      ) : null}
    </>
  )
}
