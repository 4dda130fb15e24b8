#!/usr/bin/env bash
# Debian packages the real-n8n tests need, installed only when missing (apt-get update once, first).
# - git: CI clones the repository.
# - redis-server, postgresql: the queue-mode e2e (npm run test:queue) starts its own Redis and
#   PostgreSQL on loopback ports with data folders in a temporary folder; no system service is used
#   (Debian's packages may create a default cluster; it is neither started nor touched).
set -euo pipefail
need=()
command -v git >/dev/null || need+=(git)
command -v redis-server >/dev/null || need+=(redis-server)
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then need+=(postgresql); fi
if ((${#need[@]})); then
	sudo=()
	[[ "$(id -u)" != 0 ]] && sudo=(sudo)
	echo "installing Debian packages: ${need[*]}"
	"${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}"
fi
echo "system packages present: git, redis-server, postgresql"
