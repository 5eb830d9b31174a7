import Link from 'next/link'

// Our own not-found page: Next's built-in one carries an inline style element, which the CSP refuses.
export default function NotFound() {
  return (
    <main className="mx-auto flex min-h-screen max-w-md flex-col items-center justify-center gap-3 px-4 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="text-slate-700">This page could not be found.</p>
      <Link href="/dashboard" className="text-blue-800 underline">
        Go to the dashboard
      </Link>
    </main>
  )
}
