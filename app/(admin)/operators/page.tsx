import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { listOperators, operatorRoles } from '@/lib/services/operators'
import { OperatorTable } from '@/components/admin/operator-table'
import { Card, PageHeader } from '@/components/ui/basics'
import { ActionForm, SelectField, SubmitButton, TextField } from '@/components/ui/form'
import { createOperatorAction, setOperatorDisabledAction, setOperatorRoleAction } from './actions'

export const metadata: Metadata = { title: 'Operators' }

export default async function OperatorsPage() {
  const me = await requireOperator('admin')
  const now = new Date()
  const rows = (await listOperators()).map((operator) => ({
    id: operator.id,
    email: operator.email,
    role: operator.role,
    disabled: operator.disabled,
    locked: Boolean(operator.lockedUntil && operator.lockedUntil > now),
    lastSignInAt: operator.lastSignInAt,
    createdAt: operator.createdAt,
    self: operator.id === me.id,
  }))
  return (
    <>
      <PageHeader title="Operators" description="Admins change everything; support staff read identity providers, users and logs." />
      <OperatorTable rows={rows} setRole={setOperatorRoleAction} setDisabled={setOperatorDisabledAction} />
      <Card title="Add an operator" className="mt-6 max-w-xl">
        <ActionForm action={createOperatorAction} className="space-y-4" secretLabel="Generated password" secretNote="Give it to the operator now: it is shown only once. They can change it under their account.">
          <TextField name="email" label="Email" type="email" required autoComplete="off" />
          <SelectField name="role" label="Role" defaultValue="support" options={operatorRoles.map((role) => ({ value: role, label: role }))} />
          <SubmitButton>Add operator</SubmitButton>
        </ActionForm>
      </Card>
    </>
  )
}
