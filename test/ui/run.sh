#!/usr/bin/env bash
# The editor in a real browser (npm run test:ui). Builds the package, reuses the cached n8n 2.8.4, and
# runs test/ui/run.ts with Debian's chromium. Screenshots: .ui/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
# UI_SKIP_BUILD=1 when dist/ was just built (CI runs this right after test:e2e, which builds).
[[ "${UI_SKIP_BUILD:-}" == 1 ]] || npm run --silent build >/dev/null
exec npx --no-install tsx test/ui/run.ts "$@"
