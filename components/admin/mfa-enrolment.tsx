'use client'

import type { FormAction } from '@/lib/http/admin-action'
import { ActionForm, SubmitButton, TextField } from '../ui/form'

/**
 * Scan the QR code (or type the key), then confirm with the first code; the recovery codes are shown once.
 * With `enrolment` null (MFA is on), only the form stays: confirming re-renders the page, and the form must
 * keep its state to show the codes.
 */
export function MfaEnrolment({ enrolment, action }: { enrolment: { secret: string; qrSvg: string } | null; action: FormAction }) {
  return (
    <div className="space-y-4">
      {enrolment ? <EnrolmentSteps secret={enrolment.secret} qrSvg={enrolment.qrSvg} /> : null}
      <ActionForm
        action={action}
        className="max-w-sm space-y-4"
        secretLabel="Recovery codes"
        secretNote="Store these ten codes somewhere safe now: each signs you in once if you lose your phone. They are shown only once."
      >
        {enrolment ? (
          <>
            <TextField name="code" label="Code from the app" inputMode="numeric" autoComplete="one-time-code" required />
            <SubmitButton>Turn on two-factor sign-in</SubmitButton>
          </>
        ) : (
          <p className="text-sm">Two-factor sign-in is on.</p>
        )}
      </ActionForm>
    </div>
  )
}

function EnrolmentSteps({ secret, qrSvg }: { secret: string; qrSvg: string }) {
  return (
    <>
      <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-700">
        <li>Open an authenticator app (1Password, Google Authenticator, Microsoft Authenticator, …) and scan this code.</li>
        <li>Or add the account by hand with the key below (time-based, 6 digits, every 30 seconds).</li>
        <li>Type the 6-digit code the app shows to confirm.</li>
      </ol>
      {/* The SVG is generated on the server by the qrcode package from our own otpauth URI. */}
      <div
        className="h-48 w-48 rounded border border-slate-200 bg-white"
        role="img"
        aria-label="QR code for your authenticator app"
        dangerouslySetInnerHTML={{ __html: qrSvg }}
      />
      <p className="text-sm">
        Key:{' '}
        <code className="break-all rounded bg-slate-100 px-2 py-1 font-mono" data-testid="mfa-secret">
          {secret}
        </code>
      </p>
    </>
  )
}
