import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'

/** What a server action hands the browser to start a WebAuthn ceremony (create or get), or why it cannot. */
export type PasskeyOptionsResult<Kind extends 'create' | 'get'> =
  | { ok: true; options: Kind extends 'create' ? PublicKeyCredentialCreationOptionsJSON : PublicKeyCredentialRequestOptionsJSON }
  | { ok: false; message: string }
