#!/usr/bin/env bash
# The server the end-to-end tests run against: the production build (built if missing) on a fresh embedded
# database, seeded through the operator CLI before the server takes the database.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATA_DIR="${E2E_DATA_DIR:-./data-e2e}" PORT="${E2E_PORT:-3100}" PUBLIC_URL="http://localhost:${E2E_PORT:-3100}"
export NEXTAUTH_SECRET="${NEXTAUTH_SECRET:-e2e-only-secret-not-for-production}"
unset DATABASE_URL
# The webhook receiver of the e2e tests listens on 127.0.0.1.
export WEBHOOK_ALLOW_PRIVATE=true
state=e2e/.state
rm -rf "$DATA_DIR" "$state" && mkdir -p "$state"
[ -f .next/BUILD_ID ] || npm run build
admin() { npm run -s admin -- "$@" --json; }
admin operator create --email admin@e2e.test --role admin > "$state/admin.json"
admin operator create --email support@e2e.test --role support > "$state/support.json"
idp=$(admin idp create --name "E2E Entra" --kind entra)
echo "$idp" > "$state/idp.json"
provider_id=$(node -e 'process.stdout.write(JSON.parse(process.argv[1]).providerId)' "$idp")
admin token create --idp "$provider_id" --label e2e > "$state/token.json"
admin attribute add --idp "$provider_id" --name JobCode > /dev/null
exec npm start
