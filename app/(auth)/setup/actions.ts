'use server'

import { timingSafeEqual } from 'node:crypto'
import { z } from 'zod'
import { firstAdminSetupToken } from '@/lib/auth/secret'
import type { ActionState } from '@/lib/http/admin-action'
import { createFirstAdmin } from '@/lib/services/portal-auth'
import { ConflictError } from '@/lib/services/errors'

// No session exists yet, so this is the one portal mutation outside adminAction: the setup token is the check.
export async function createFirstAdminAction(_previous: ActionState, formData: FormData): Promise<ActionState> {
  const token = String(formData.get('token') ?? '')
  const expected = Buffer.from(firstAdminSetupToken())
  if (token.length !== expected.length || !timingSafeEqual(Buffer.from(token), expected)) {
    return { ok: false, message: 'This setup link is not valid.' }
  }
  try {
    await createFirstAdmin({ email: String(formData.get('email') ?? ''), password: String(formData.get('password') ?? '') })
    return { ok: true, message: 'Admin created. Sign in now.', redirectTo: '/login' }
  } catch (error) {
    if (error instanceof z.ZodError) {
      const fieldErrors: Record<string, string[]> = {}
      for (const issue of error.issues) (fieldErrors[String(issue.path[0] ?? 'form')] ??= []).push(issue.message)
      return { ok: false, message: 'Check the highlighted fields.', fieldErrors }
    }
    if (error instanceof ConflictError) return { ok: false, message: error.message }
    throw error
  }
}
