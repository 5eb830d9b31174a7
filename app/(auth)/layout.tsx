import type { ReactNode } from 'react'

// Reads the session and the database on every request; nothing here is prerendered at build time.
export const dynamic = 'force-dynamic'

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="mx-auto flex min-h-screen w-full max-w-md flex-col justify-center px-4 py-10">
      <p className="mb-6 text-center text-lg font-semibold text-slate-700">TraffiTech Provisioning</p>
      <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">{children}</div>
    </main>
  )
}
