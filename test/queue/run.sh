#!/usr/bin/env bash
# Queue-mode e2e (npm run test:queue): builds the package and runs test/queue/run.ts (n8n main, two
# workers and a webhook processor with their own Redis and PostgreSQL; see that file).
set -euo pipefail
cd "$(dirname "$0")/../.."
npm run --silent build >/dev/null
exec npx --no-install tsx test/queue/run.ts "$@"
