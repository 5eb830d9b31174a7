import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { listOperators, operatorRoles } from '@/lib/services/operators'
import { isMfaRequired, isSignInLocked } from '@/lib/services/portal-auth'
import { OperatorTable } from '@/components/admin/operator-table'
import { Card, PageHeader } from '@/components/ui/basics'
import { ConfirmForm } from '@/components/ui/confirm-form'
import { ActionForm, SelectField, SubmitButton, TextField } from '@/components/ui/form'
import {
  createOperatorAction,
  endOperatorSessionsAction,
  setOperatorDisabledAction,
  setOperatorRoleAction,
  setRequireMfaAction,
  unlockOperatorAction,
} from './actions'

export const metadata: Metadata = { title: 'Operators' }

export default async function OperatorsPage() {
  const me = await requireOperator('admin')
  const now = new Date()
  const [operators, mfaRequired] = await Promise.all([listOperators(), isMfaRequired()])
  const locks = await Promise.all(operators.map((operator) => isSignInLocked(operator.email, now)))
  const rows = operators.map((operator, index) => ({
    id: operator.id,
    email: operator.email,
    role: operator.role,
    disabled: operator.disabled,
    locked: locks[index]!,
    mfa: operator.mfaEnabledAt !== null,
    lastSignInAt: operator.lastSignInAt,
    createdAt: operator.createdAt,
    self: operator.id === me.id,
  }))
  return (
    <>
      <PageHeader
        title="Operators"
        description="Admins change everything; support staff read identity providers, users and logs."
      />
      <OperatorTable
        rows={rows}
        actions={{
          setRole: setOperatorRoleAction,
          setDisabled: setOperatorDisabledAction,
          endSessions: endOperatorSessionsAction,
          unlock: unlockOperatorAction,
        }}
      />
      <Card title="Two-factor sign-in" className="mt-6 max-w-xl">
        <p className="mb-3 text-sm text-slate-700" data-testid="mfa-requirement">
          {mfaRequired
            ? 'Required for every operator: anyone without it enrols right after entering their password.'
            : 'Optional: each operator can turn it on under their account.'}
        </p>
        <ConfirmForm
          action={setRequireMfaAction}
          hidden={{ required: mfaRequired ? 'false' : 'true' }}
          label={mfaRequired ? 'Make two-factor sign-in optional' : 'Require two-factor sign-in for all operators'}
          variant={mfaRequired ? 'secondary' : 'primary'}
          confirmLabel={mfaRequired ? 'Yes, make it optional' : 'Yes, require it'}
          question={
            mfaRequired
              ? 'Operators may then sign in with a password alone.'
              : 'Operators without it must enrol at their next request.'
          }
        />
      </Card>
      <Card title="Add an operator" className="mt-6 max-w-xl">
        <ActionForm
          action={createOperatorAction}
          className="space-y-4"
          secretLabel="Generated password"
          secretNote="Give it to the operator now: it is shown only once. They can change it under their account."
        >
          <TextField name="email" label="Email" type="email" required autoComplete="off" />
          <SelectField
            name="role"
            label="Role"
            defaultValue="support"
            options={operatorRoles.map((role) => ({ value: role, label: role }))}
          />
          <SubmitButton>Add operator</SubmitButton>
        </ActionForm>
      </Card>
    </>
  )
}
