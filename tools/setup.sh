#!/bin/sh
# make setup: install the system packages the tests use, where their command is missing.
#
#   sh tools/setup.sh PACKAGE:COMMAND...
#
# Each PACKAGE (a Debian package name) is installed with apt-get when COMMAND is not found:
# as root, or with `sudo -n` where that works without a password. Where neither is possible
# (or there is no apt-get) it says what is missing and how to get it, and fails.
# Node.js must be 18 or newer (the JavaScript port's engines field): an older one counts as missing.
set -u

have() {
    case "$1" in
        node) command -v node >/dev/null 2>&1 &&
            node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' 2>/dev/null ;;
        chromium) command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ;;
        *) command -v "$1" >/dev/null 2>&1 ;;
    esac
}

missing=""
for pair in "$@"; do
    package=${pair%%:*}
    command=${pair#*:}
    have "$command" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
else
    sudo=none
fi
if [ "$sudo" = none ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "make setup: missing:$missing; install them with your system's package manager" >&2
    echo "  (on Debian or Ubuntu, as root: apt-get install$missing)" >&2
    exit 1
fi
echo "make setup: installing$missing with apt-get"
$sudo apt-get update -qq &&
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || exit 1
for pair in "$@"; do
    have "${pair#*:}" || { echo "make setup: ${pair%%:*} installed, but '${pair#*:}' is still not usable" >&2; exit 1; }
done
