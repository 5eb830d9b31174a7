'use client'

import type { FormAction } from '@/lib/http/admin-action'
import { ActionForm, SubmitButton, TextField } from '../ui/form'

export function MfaCodeForm({ action, callbackUrl }: { action: FormAction; callbackUrl: string }) {
  return (
    <ActionForm action={action} className="space-y-4">
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <TextField name="code" label="Code" autoComplete="one-time-code" required autoFocus />
      <SubmitButton>Verify</SubmitButton>
    </ActionForm>
  )
}
