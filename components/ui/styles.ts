/** Shared class lists: one look for every control, with a visible keyboard focus ring. */
export const focusRing = 'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600'
export const inputClass = `block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm ${focusRing} aria-[invalid=true]:border-red-600`
const buttonBase = `inline-flex items-center justify-center gap-1 rounded-md px-3 py-2 text-sm font-medium disabled:opacity-50 ${focusRing}`
export const buttonClass = {
  primary: `${buttonBase} bg-blue-700 text-white hover:bg-blue-800`,
  secondary: `${buttonBase} border border-slate-300 bg-white text-slate-800 hover:bg-slate-100`,
  danger: `${buttonBase} bg-red-700 text-white hover:bg-red-800`,
} as const
export const linkClass = `text-blue-700 underline-offset-2 hover:underline ${focusRing} rounded-sm`
