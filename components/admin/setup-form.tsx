'use client'

import type { ActionState } from '@/lib/http/admin-action'
import { ActionForm, SubmitButton, TextField } from '../ui/form'

export function SetupForm({
  action,
  token,
}: {
  action: (previous: ActionState, formData: FormData) => Promise<ActionState>
  token: string
}) {
  return (
    <ActionForm action={action} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      <TextField name="email" label="Email" type="email" autoComplete="username" required />
      <TextField
        name="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        hint="At least 12 characters, and not a common or breached password."
        required
      />
      <SubmitButton>Create admin</SubmitButton>
    </ActionForm>
  )
}
