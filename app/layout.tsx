import type { Metadata } from 'next'
import { connection } from 'next/server'
import './globals.css'

export const metadata: Metadata = {
  title: { default: 'TraffiTech Provisioning', template: '%s · TraffiTech Provisioning' },
  description: 'Inbound SCIM 2.0 provisioning for TraffiTech',
}

export default async function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  // Rendered per request, the not-found page included: each response's scripts carry that response's CSP nonce.
  await connection()
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">{children}</body>
    </html>
  )
}
