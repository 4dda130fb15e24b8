#!/usr/bin/env bash
# Debian packages the checks need, installed only when missing (CI machines start without them).
# Usage: system-packages.sh [package-or-command ...]; each argument is "command:package" or a package.
set -euo pipefail
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
need=()
# chromium: the browser of npm run test:ui (Playwright's own browser builds are not reachable).
for spec in git chromium "$@"; do
	cmd="${spec%%:*}"
	pkg="${spec##*:}"
	command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
# Fonts for the browser's text (a recommendation of chromium, which --no-install-recommends skips).
[[ -d /usr/share/fonts/truetype/liberation ]] || need+=(fonts-liberation)
if ((${#need[@]})); then
	echo "installing Debian packages: ${need[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
echo "system packages present: git chromium $*"
