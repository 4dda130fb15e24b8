#!/usr/bin/env bash
# Debian packages the real-n8n tests need, installed only when missing.
set -euo pipefail
need=()
command -v git >/dev/null || need+=(git)
# The browser of npm run test:ui (Playwright's own browser downloads are not reachable).
[[ -x /usr/bin/chromium ]] || need+=(chromium)
if ((${#need[@]})); then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
echo "system packages present"
