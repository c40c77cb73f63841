#!/bin/sh
# Print the path of a Python interpreter of one version, found wherever this machine keeps one.
#
#   sh tools/find_python.sh 3.9               a Python 3.9, or exit 1
#   sh tools/find_python.sh --for-others      a Python 3.9 or newer that other users can run, with venv
#   sh tools/find_python.sh --others-run PATH  exit 0 if other users can run the interpreter PATH
#
# Looks, in order, on PATH (python3.9, python3), in pyenv's versions, in uv's installed
# Pythons, and in the usual prefixes (/usr/bin, /usr/local/bin, /opt/python*/bin). Nothing is
# downloaded. --for-others wants an interpreter whose every folder other users may enter, so
# that the runner can run the reference as another user (its user-condition cases): a Python
# under a private home (mode 700, like /root) cannot be started by them.
set -u

want=""
others=no
case "${1:-}" in
    --for-others) others=yes ;;
    --others-run) others=check ;;
    [0-9]*.[0-9]*) want=$1 ;;
    *) echo "usage: $0 X.Y | --for-others | --others-run PATH" >&2; exit 2 ;;
esac

candidates() {
    if [ -n "$want" ]; then
        command -v "python$want" 2>/dev/null
        if command -v pyenv >/dev/null 2>&1; then
            root=$(pyenv root 2>/dev/null) && ls -d "$root"/versions/"$want".*/bin/python 2>/dev/null | sort -t. -k3 -n -r
        fi
        command -v uv >/dev/null 2>&1 && uv python find --no-python-downloads "$want" 2>/dev/null
        for prefix in /usr/bin /usr/local/bin /opt/python*/bin; do echo "$prefix/python$want"; done
    else
        command -v python3 2>/dev/null
        for prefix in /usr/bin /usr/local/bin; do echo "$prefix/python3"; done
    fi
}

# The mode string (ls -l's) gives others execute (or search) permission: x, or t with the sticky bit (/tmp).
others_x() {
    case "$1" in ?????????[xt]) return 0 ;; *) return 1 ;; esac
}

# Every folder from / to the file can be entered by others, and the file run by them: both
# the path as given (a venv's bin/python, in its checkout) and the file it links to.
reachable_by_others() {
    for file in "$(cd "$(dirname "$1")" 2>/dev/null && pwd)/$(basename "$1")" "$(readlink -f "$1")"; do
        others_x "$(stat -L -c %A "$file" 2>/dev/null)" || return 1
        folder=$(dirname "$file")
        while :; do
            others_x "$(stat -c %A "$folder" 2>/dev/null)" || return 1
            [ "$folder" = / ] && break
            folder=$(dirname "$folder")
        done
    done
}

if [ "$others" = check ]; then
    # A venv's python is a link: follow it to the interpreter it runs.
    reachable_by_others "${2:?usage: $0 --others-run PATH}"
    exit $?
fi

candidates | while read -r python; do
    [ -x "$python" ] || continue
    if [ -n "$want" ]; then
        "$python" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" 2>/dev/null || continue
    else
        "$python" -c "import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 9) else 1)" 2>/dev/null || continue
        reachable_by_others "$python" || continue
    fi
    echo "$python"
    exit 3 # found: leaves the loop's subshell; mapped to 0 below
done
[ $? = 3 ] && exit 0
exit 1
