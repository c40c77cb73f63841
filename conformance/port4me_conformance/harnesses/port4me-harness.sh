#!/bin/sh
# port4me-harness.sh COMMAND [ARG...]: a port4me command line behind the harness protocol 1.0, cli
# interface (spec/INTERPRETING.md 11). POSIX sh, awk, od: awk decodes the runner's compact requests.
[ $# -gt 0 ] || { echo "usage: port4me-harness.sh COMMAND [ARG...]" >&2; exit 2; }
quote() { printf "'%s'" "$(printf %s "$1" | sed "s/'/'\\\\''/g")"; }
command=$(for word in "$@"; do quote "$word"; printf ' '; done)
escape() { printf %s "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }
hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }
decode='
function hexval(h,   v, i) { v = 0; for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1; return v }
function str(   out, c) {
  for (out = ""; (c = substr(s, ++p, 1)) != "\""; out = out c) if (c == "\\") {
    c = substr(s, ++p, 1)
    if (c == "n") c = "\n"; else if (c == "t") c = "\t"; else if (c == "r") c = "\r"
    else if (c == "b") c = "\b"; else if (c == "f") c = "\f"
    else if (c == "u") { c = sprintf("%c", hexval(tolower(substr(s, p + 1, 4)))); p += 4 } }
  p++; return out
}
function value(   h, out, i) {
  if (substr(s, p, 1) == "\"") return str()
  p += 7; h = str(); p++; out = ""                     # {"hex":"..."}: bytes that are not UTF-8
  for (i = 1; i < length(h); i += 2) out = out sprintf("%c", hexval(substr(h, i, 2)))
  return out
}
function q(v) { gsub(/\047/, "\047\\\047\047", v); return "\047" v "\047" }
{ s = $0; line = "env -i"
  for (p = index(s, "\"env\":{") + 7; substr(s, p, 1) != "}"; p += (substr(s, p, 1) == ",")) {
    name = str(); p++; line = line " " q(name "=" value()) }
  line = line " " command
  for (p = index(s, "\"argv\":[") + 8; substr(s, p, 1) != "]"; p += (substr(s, p, 1) == ",")) line = line " " q(value())
  print line }'
folder=$(mktemp -d) || exit 1
trap 'rm -rf "$folder"' EXIT
while IFS= read -r request; do
  seq=$(printf %s "$request" | sed 's/^{"op":"[a-z]*","seq":\([0-9]*\).*/\1/')
  case $request in
  '{"op":"stop"'*) exit 0 ;;
  '{"op":"hello"'*)
    version=$("$@" --version 2>/dev/null | head -n 1)
    printf '{"seq":0,"protocol":"1.0","implementation":{"name":"%s","version":"%s","language":"POSIX shell",' \
      "$(escape "$1")" "$(escape "${version:-unknown}")"
    printf '"language_version":"","homepage":"","issues":"","interfaces":["cli"]}}\n' ;;
  *)
    line=$(printf '%s\n' "$request" | LC_ALL=C awk -v command="$command" "$decode")
    (cd "$(mktemp -d -p "$folder")" && eval "$line") </dev/null >"$folder/out" 2>"$folder/err"; code=$?
    printf '{"seq":%s,"stdout":{"hex":"%s"},"stderr":{"hex":"%s"},"exit_code":%s}\n' \
      "$seq" "$(hex "$folder/out")" "$(hex "$folder/err")" "$code" ;;
  esac
done
