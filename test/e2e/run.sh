#!/usr/bin/env bash
# Real-n8n end-to-end tests (npm run test:e2e). Builds the package, installs the pinned n8n once into
# a cache folder outside the package (reused), and runs the scenarios in test/e2e/*.ts.
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run --silent build >/dev/null
exec npx --no-install tsx test/e2e/run.ts "$@"
