#!/usr/bin/env bash
# Debian packages the checks need, installed only when missing (CI machines start without them;
# apt-get update runs once, first). Usage: system-packages.sh [package-or-command ...]; each argument is
# "command:package" or a package. Always checked:
# - git: CI clones the repository.
# - redis-server, postgresql: the queue-mode e2e (npm run test:queue) starts its own Redis and
#   PostgreSQL on loopback ports with data folders in a temporary folder; no system service is used
#   (Debian's packages may create a default cluster; it is neither started nor touched).
set -euo pipefail
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
need=()
# chromium: the browser of npm run test:ui (Playwright's own browser builds are not reachable).
for spec in git redis-server chromium "$@"; do
	cmd="${spec%%:*}"
	pkg="${spec##*:}"
	command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
# Debian keeps the PostgreSQL server programs off PATH, under /usr/lib/postgresql/<version>/bin
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
# Fonts for the browser's text (a recommendation of chromium, which --no-install-recommends skips).
[[ -d /usr/share/fonts/truetype/liberation ]] || need+=(fonts-liberation)
if ((${#need[@]})); then
	echo "installing Debian packages: ${need[*]}"
	$sudo apt-get -o DPkg::Lock::Timeout=600 update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}"
fi
echo "system packages present: git redis-server postgresql chromium $*"
