#!/usr/bin/env bash
# Debian packages the checks need, installed only when missing (CI machines start without them).
# Usage: system-packages.sh [package-or-command ...]; each argument is "command:package" or a package.
set -euo pipefail
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
need=()
for spec in git "$@"; do
	cmd="${spec%%:*}"
	pkg="${spec##*:}"
	command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
if ((${#need[@]})); then
	echo "installing Debian packages: ${need[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "system packages present: git $*"
