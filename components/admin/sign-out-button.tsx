'use client'

import { signOut } from 'next-auth/react'
import { buttonClass } from '../ui/styles'

export function SignOutButton() {
  return (
    <button type="button" className={buttonClass.secondary} onClick={() => void signOut({ callbackUrl: '/login' })}>
      Sign out
    </button>
  )
}
