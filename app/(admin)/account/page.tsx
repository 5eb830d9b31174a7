import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { Card, PageHeader } from '@/components/ui/basics'
import { ActionForm, SubmitButton, TextField } from '@/components/ui/form'
import { changePasswordAction } from '../operators/actions'

export const metadata: Metadata = { title: 'Your account' }

export default async function AccountPage() {
  const operator = await requireOperator()
  return (
    <>
      <PageHeader title="Your account" description={`${operator.email}, ${operator.role}`} />
      <Card title="Change your password" className="max-w-xl">
        <ActionForm action={changePasswordAction} className="space-y-4">
          <TextField name="current" label="Current password" type="password" autoComplete="current-password" required />
          <TextField name="next" label="New password" type="password" autoComplete="new-password" hint="At least 12 characters." required />
          <TextField name="confirm" label="New password again" type="password" autoComplete="new-password" required />
          <SubmitButton>Change password</SubmitButton>
        </ActionForm>
      </Card>
    </>
  )
}
