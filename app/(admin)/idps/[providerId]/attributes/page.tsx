import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { attributeTypes } from '@/lib/services/custom-attributes'
import { listAttributesWithUsage } from '@/lib/services/portal-overview'
import { AttributeTable } from '@/components/admin/attribute-table'
import { IdpPageHeader } from '@/components/admin/idp-tabs'
import { Card, TextLink } from '@/components/ui/basics'
import { ActionForm, SelectField, SubmitButton, TextField } from '@/components/ui/form'
import { addAttributeAction, editAttributeAction, removeAttributeAction } from '../../actions'
import { hrefWith } from '@/lib/portal/href'
import { loadProvider } from '../load-provider'

export const metadata: Metadata = { title: 'Custom attributes' }

export default async function AttributesPage({ params }: { params: Promise<{ providerId: string }> }) {
  const operator = await requireOperator()
  const { providerId } = await params
  const provider = await loadProvider(providerId)
  const attributes = await listAttributesWithUsage(providerId)
  const isAdmin = operator.role === 'admin'
  const rows = attributes.map((attribute) => ({
    providerId,
    name: attribute.name,
    type: attribute.type,
    description: attribute.description,
    acceptedNames: attribute.acceptedNames,
    holders: attribute.holders,
  }))
  return (
    <>
      <IdpPageHeader
        provider={provider}
        section="custom attributes"
        current="attributes"
        isAdmin={isAdmin}
        description={
          <>
            Attributes outside the core and enterprise schemas. Unregistered ones are discarded (see the log&apos;s
            &quot;discarded attributes&quot;).{' '}
            <TextLink href={hrefWith('/users', { idp: providerId, missing: 'custom' })}>Users missing a value</TextLink>
          </>
        }
      />
      <AttributeTable
        rows={rows}
        actions={isAdmin ? { edit: editAttributeAction, remove: removeAttributeAction, types: attributeTypes } : null}
      />
      {isAdmin ? (
        <Card title="Add a custom attribute" className="mt-6 max-w-xl">
          <ActionForm action={addAttributeAction} className="space-y-4">
            <input type="hidden" name="providerId" value={provider.id} />
            <TextField
              name="name"
              label="Name"
              required
              maxLength={64}
              hint="Exactly as in Entra's attribute list, e.g. JobCode (names compare case-insensitively)."
            />
            <SelectField
              name="type"
              label="Type"
              defaultValue="string"
              options={attributeTypes.map((type) => ({ value: type, label: type }))}
            />
            <TextField name="description" label="Description" maxLength={500} />
            <SubmitButton>Add attribute</SubmitButton>
          </ActionForm>
        </Card>
      ) : null}
    </>
  )
}
