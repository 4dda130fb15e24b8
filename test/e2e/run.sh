#!/usr/bin/env bash
# Real-n8n end-to-end tests (npm run test:e2e): builds the package, installs each n8n version of the
# matrix (tools/n8n-host.ts N8N_MATRIX) once into a cache folder outside the package (reused), and
# runs the scenarios in test/e2e/*.ts on each. Arguments pick versions: npm run test:e2e -- 2.41.1
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run --silent build >/dev/null
exec npx --no-install tsx test/e2e/matrix.ts "$@"
