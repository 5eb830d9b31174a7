import { redirect } from 'next/navigation'

// The portal starts at the dashboard; signed-out visitors are sent on to sign in from there.
export const dynamic = 'force-dynamic'

export default function HomePage() {
  redirect('/dashboard')
}
