import type { Metadata } from 'next'
import { currentSession, requireOperator } from '@/lib/auth/session'
import { mfaStatus } from '@/lib/services/operator-mfa'
import { listOperatorPasskeys, passkeysAvailable } from '@/lib/services/passkeys'
import { isMfaRequired, listOperatorSessions } from '@/lib/services/portal-auth'
import { PasskeyRegistration } from '@/components/admin/passkey-registration'
import { SessionTable } from '@/components/admin/session-table'
import { Badge, Card, PageHeader, TextLink } from '@/components/ui/basics'
import { ConfirmForm } from '@/components/ui/confirm-form'
import { ActionForm, SubmitButton, TextField } from '@/components/ui/form'
import {
  addPasskeyAction,
  changePasswordAction,
  endOtherSessionsAction,
  endSessionAction,
  passkeyRegistrationOptionsAction,
  removeMfaAction,
  removePasskeyAction,
} from './actions'

const formatTime = (at: Date) => at.toISOString().replace('T', ' ').slice(0, 16) + ' UTC'

export const metadata: Metadata = { title: 'Your account' }

export default async function AccountPage() {
  const operator = await requireOperator()
  const session = await currentSession()
  const [mfa, required, sessions, passkeys] = await Promise.all([
    mfaStatus(operator.id),
    isMfaRequired(),
    listOperatorSessions(operator.id),
    listOperatorPasskeys(operator.id),
  ])
  const rows = sessions.map((row) => ({ ...row, current: row.id === session?.id }))
  return (
    <>
      <PageHeader title="Your account" description={`${operator.email}, ${operator.role}`} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="Two-factor sign-in">
          {mfa.enabled ? (
            <div className="space-y-4">
              <p className="text-sm">
                <Badge tone="green">on</Badge> Sign-in asks for a code from your authenticator app. Recovery codes left:{' '}
                <strong data-testid="recovery-codes-left">{mfa.recoveryCodesLeft}</strong>.
              </p>
              {required ? (
                <p className="text-sm text-slate-600">Your admins require two-factor sign-in for every operator.</p>
              ) : (
                <ActionForm action={removeMfaAction} className="max-w-sm space-y-3">
                  <TextField name="password" label="Current password" type="password" autoComplete="current-password" required />
                  <TextField name="code" label="Code from the app, or a recovery code" autoComplete="one-time-code" required />
                  <SubmitButton variant="danger">Turn off two-factor sign-in</SubmitButton>
                </ActionForm>
              )}
            </div>
          ) : (
            <div className="space-y-3 text-sm">
              {passkeys.length > 0 ? (
                <p>
                  <Badge tone="green">passkey</Badge> Sign-in asks for one of your passkeys. You can add an authenticator app as
                  well.
                </p>
              ) : (
                <p>
                  <Badge tone="amber">off</Badge> Protect your account with a code from an authenticator app or a passkey.
                </p>
              )}
              <TextLink href="/account/mfa">Set up two-factor sign-in</TextLink>
            </div>
          )}
        </Card>
        <Card title="Change your password">
          <ActionForm action={changePasswordAction} className="space-y-4">
            <TextField name="current" label="Current password" type="password" autoComplete="current-password" required />
            <TextField
              name="next"
              label="New password"
              type="password"
              autoComplete="new-password"
              hint="At least 12 characters, and not a common or breached password."
              required
            />
            <TextField name="confirm" label="New password again" type="password" autoComplete="new-password" required />
            <SubmitButton>Change password</SubmitButton>
          </ActionForm>
        </Card>
      </div>
      <Card title="Passkeys" className="mt-6">
        <p className="mb-3 text-sm text-slate-600">
          A passkey (a security key, or the fingerprint or face unlock of this device) can replace the code at sign-in. It counts
          as two-factor sign-in on its own.
        </p>
        {passkeys.length > 0 ? (
          <ul className="mb-4 divide-y divide-slate-200 rounded-md border border-slate-200" data-testid="passkey-list">
            {passkeys.map((passkey) => (
              <li key={passkey.id} className="flex flex-wrap items-center justify-between gap-3 p-3 text-sm">
                <div>
                  <p className="font-medium">{passkey.name}</p>
                  <p className="text-slate-600">
                    Added {formatTime(passkey.createdAt)} ·{' '}
                    {passkey.lastUsedAt ? `last used ${formatTime(passkey.lastUsedAt)}` : 'never used'}
                  </p>
                </div>
                <ConfirmForm
                  action={removePasskeyAction}
                  hidden={{ passkeyId: passkey.id }}
                  label="Remove"
                  confirmLabel="Yes, remove it"
                  question={`Remove the passkey “${passkey.name}”? Your other sessions end.`}
                />
              </li>
            ))}
          </ul>
        ) : (
          <p className="mb-4 text-sm">No passkeys yet.</p>
        )}
        {passkeysAvailable() ? (
          <PasskeyRegistration getOptions={passkeyRegistrationOptionsAction} action={addPasskeyAction} />
        ) : (
          <p className="text-sm text-slate-600">Passkeys need the portal at a host name (PUBLIC_URL), not an IP address.</p>
        )}
      </Card>
      <Card title="Your sessions" className="mt-6">
        <SessionTable rows={rows} endSession={endSessionAction} />
        {rows.length > 1 ? (
          <div className="mt-3">
            <ConfirmForm
              action={endOtherSessionsAction}
              hidden={{}}
              label="End all other sessions"
              variant="secondary"
              confirmLabel="Yes, end them"
              question="Every other browser is signed out at its next request."
            />
          </div>
        ) : null}
      </Card>
    </>
  )
}
