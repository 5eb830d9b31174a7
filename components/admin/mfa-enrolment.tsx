'use client'

import type { ActionState } from '@/lib/http/admin-action'
import { ActionForm, SubmitButton, TextField } from '../ui/form'

type Action = (previous: ActionState, formData: FormData) => Promise<ActionState>

/** Scan the QR code (or type the key), then confirm with the first code; the recovery codes are shown once. */
export function MfaEnrolment({ secret, qrSvg, action }: { secret: string; qrSvg: string; action: Action }) {
  return (
    <div className="space-y-4">
      <ol className="list-decimal space-y-1 pl-5 text-sm text-slate-700">
        <li>Open an authenticator app (1Password, Google Authenticator, Microsoft Authenticator, …) and scan this code.</li>
        <li>Or add the account by hand with the key below (time-based, 6 digits, every 30 seconds).</li>
        <li>Type the 6-digit code the app shows to confirm.</li>
      </ol>
      {/* The SVG is generated on the server by the qrcode package from our own otpauth URI. */}
      <div className="h-48 w-48 rounded border border-slate-200 bg-white" role="img" aria-label="QR code for your authenticator app" dangerouslySetInnerHTML={{ __html: qrSvg }} />
      <p className="text-sm">
        Key:{' '}
        <code className="break-all rounded bg-slate-100 px-2 py-1 font-mono" data-testid="mfa-secret">
          {secret}
        </code>
      </p>
      <ActionForm
        action={action}
        className="max-w-sm space-y-4"
        secretLabel="Recovery codes"
        secretNote="Store these ten codes somewhere safe now: each signs you in once if you lose your phone. They are shown only once."
      >
        <TextField name="code" label="Code from the app" inputMode="numeric" autoComplete="one-time-code" required />
        <SubmitButton>Turn on two-factor sign-in</SubmitButton>
      </ActionForm>
    </div>
  )
}
