#!/bin/sh
# docs/walkthrough.md quotes vm's -d output: each block marked
# "<!-- block: NAME -->" must equal what docs/walkthrough.sh NAME prints
# with the current vm (regenerate the page's blocks when translation
# changes).
VM=${1:-./vm}
command -v objdump >/dev/null || { echo "objdump not installed: nothing to check"; exit 0; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
for name in in fast slow lookup group; do
    awk -v name="$name" '
        $0 == "<!-- block: " name " -->" { want = 1; next }
        want && /^```$/ { if (inside) exit; inside = 1; next }
        inside { print }' docs/walkthrough.md >"$tmp/doc"
    sh docs/walkthrough.sh "$name" "$VM" >"$tmp/now"
    if [ ! -s "$tmp/doc" ] || ! cmp -s "$tmp/doc" "$tmp/now"; then
        echo "FAIL: docs/walkthrough.md's '$name' block differs from what vm prints now:"
        diff "$tmp/doc" "$tmp/now" | head -n 20
        fail=1
    fi
done
exit $fail
