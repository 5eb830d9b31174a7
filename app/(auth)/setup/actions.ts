'use server'

import { z } from 'zod'
import type { ActionState } from '@/lib/http/admin-action'
import { createFirstAdmin, SetupTokenError } from '@/lib/services/portal-auth'
import { ConflictError } from '@/lib/services/errors'

// No session exists yet, so this is the one portal mutation outside adminAction: the setup token is the check.
export async function createFirstAdminAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  try {
    await createFirstAdmin(formData.get('token'), {
      email: String(formData.get('email') ?? ''),
      password: String(formData.get('password') ?? ''),
    })
    return { ok: true, message: 'Admin created. Sign in now.', redirectTo: '/login' }
  } catch (error) {
    if (error instanceof z.ZodError) {
      const fieldErrors: Record<string, string[]> = {}
      for (const issue of error.issues) (fieldErrors[String(issue.path[0] ?? 'form')] ??= []).push(issue.message)
      return { ok: false, message: 'Check the highlighted fields.', fieldErrors }
    }
    if (error instanceof ConflictError || error instanceof SetupTokenError) return { ok: false, message: error.message }
    throw error
  }
}
