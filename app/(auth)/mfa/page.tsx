import type { Metadata } from 'next'
import Link from 'next/link'
import { redirect } from 'next/navigation'
import { currentSession } from '@/lib/auth/session'
import { safeRedirectPath } from '@/lib/auth/redirects'
import { startMfaEnrolment } from '@/lib/services/operator-mfa'
import { MfaCodeForm } from '@/components/admin/mfa-code-form'
import { MfaEnrolment } from '@/components/admin/mfa-enrolment'
import { PasskeySignIn } from '@/components/admin/passkey-sign-in'
import { SignOutButton } from '@/components/admin/sign-out-button'
import { buttonClass } from '@/components/ui/styles'
import { confirmRequiredEnrolmentAction, passkeySignInOptionsAction, verifyMfaCodeAction, verifyPasskeyAction } from './actions'

export const metadata: Metadata = { title: 'Two-factor sign-in' }

/** The step after the password: a code, or, when MFA is required and missing, the enrolment. */
export default async function MfaPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const callbackUrl = safeRedirectPath((await searchParams).callbackUrl)
  const session = await currentSession()
  if (!session) redirect('/login')
  if (session.state === 'active') redirect(callbackUrl)
  if (session.state === 'mfa_required') {
    return (
      <>
        <h1 className="mb-2 text-xl font-semibold">Two-factor sign-in</h1>
        {session.hasPasskey ? (
          <div className="mb-6">
            <PasskeySignIn getOptions={passkeySignInOptionsAction} action={verifyPasskeyAction} callbackUrl={callbackUrl} />
          </div>
        ) : null}
        {session.mfaEnabled ? (
          <>
            <p className="mb-4 text-sm text-slate-600">
              {session.hasPasskey ? 'Or enter' : 'Enter'} the 6-digit code from your authenticator app, or one of your recovery
              codes.
            </p>
            <MfaCodeForm action={verifyMfaCodeAction} callbackUrl={callbackUrl} />
          </>
        ) : null}
        <div className="mt-4">
          <SignOutButton />
        </div>
      </>
    )
  }
  const enrolment = await startMfaEnrolment(session.operator.id)
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">Set up two-factor sign-in</h1>
      <p className="mb-4 text-sm text-slate-600">
        Your admins require a second factor for every operator. Set it up once to continue.
      </p>
      <MfaEnrolment enrolment={enrolment} action={confirmRequiredEnrolmentAction} />
      <div className="mt-4 flex flex-wrap gap-3">
        <Link href={callbackUrl} className={buttonClass.primary} data-testid="mfa-continue">
          Continue
        </Link>
        <SignOutButton />
      </div>
    </>
  )
}
