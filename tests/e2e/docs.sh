# The documentation: the man page renders without warnings, every command
# of `survstat --help` has a man page section and a docs/ page, the links of
# README.md and docs/ hold, and the spec example of docs/spec.md runs.
# (The console examples of README.md and docs/*.md run in tests/tools/examples.py.)
# Sourced by tests/run_tests.sh.

D=$TMP/docs
mkdir -p "$D"

# --- the man page ---------------------------------------------------------
# man_warnings PAGE: what man and groff say while rendering PAGE (empty: clean).
man_warnings() {
  { MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null
    groff -man -ww -z "$1" 2>&1; } | grep -v '^$'
}
if command -v man >/dev/null && command -v groff >/dev/null; then
  out=$(man_warnings man/survstat.1)
  if [ -z "$out" ]; then ok; else bad "docs: man/survstat.1 renders with warnings: $out"; fi
  # The check itself: a page with an unknown macro and a broken escape warns.
  printf '.TH X 1\n.SH NAME\nx \\- y\n.XQ\n\\*[nosuch]\n' >"$D/bad.1"
  out=$(man_warnings "$D/bad.1")
  if [ -n "$out" ]; then ok; else bad "docs: a broken man page rendered without warnings"; fi
  # The page names every option of every command's --help.
  sed 's/\\-/-/g' man/survstat.1 >"$D/man.txt"
  missing=""
  for c in $("$BIN" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
    for o in $("$BIN" "$c" --help | grep -o -- '--[a-z][a-z0-9-]*' | grep -vx -- --help | sort -u); do
      grep -qF -- "$o" "$D/man.txt" || missing="$missing $c:$o"
    done
  done
  if [ -z "$missing" ]; then ok; else bad "docs: man/survstat.1 lacks the options$missing"; fi
else
  echo "note: docs: man or groff is missing, the man page is not rendered (apt-get install man-db groff-base)"
fi

# --- commands and links ---------------------------------------------------
out=$(python3 tests/tools/check_docs.py . "$BIN" 2>&1)
if [ $? -eq 0 ]; then ok; else bad "docs: $out"; fi
grep '^note:' <<<"$out"

# The checker itself, on a copy with a command section, a page, a link and
# a heading gone.
mkdir -p "$D/tree/man" "$D/tree/docs"
cp -r docs/. "$D/tree/docs/"
sed '/^\.SS describe$/d' man/survstat.1 >"$D/tree/man/survstat.1"
rm "$D/tree/docs/rates.md"
sed 's/(docs\/guarantees.md)/(docs\/guarantee.md)/; s/docs\/options.md#result-columns/docs\/options.md#result-cols/' README.md >"$D/tree/README.md"
out=$(python3 tests/tools/check_docs.py "$D/tree" "$BIN" 2>&1)
if [ $? -eq 1 ] &&
   grep -q "man/survstat.1: no section for the command 'describe'" <<<"$out" &&
   grep -q "docs/rates.md: missing" <<<"$out" &&
   grep -q "README.md: link to a missing file: docs/guarantee.md" <<<"$out" &&
   grep -q "README.md: link to a missing heading: docs/options.md#result-cols" <<<"$out" &&
   grep -q "README.md: no link to docs/guarantees.md" <<<"$out"; then ok
else bad "docs: the checker missed a broken tree: $out"; fi

# --- the example spec of docs/spec.md runs -------------------------------
sed -n '/^```ini$/,/^```$/p' docs/spec.md | sed '1d;$d' | sed "s|^out = out|out = $D/spec_out|" >"$D/spec.ini"
run run "$D/spec.ini"
if [ "$status" -eq 0 ] && [ -s "$D/spec_out/2000/scores.csv" ] && [ -s "$D/spec_out/2000/keys.csv" ] &&
   [ -s "$D/spec_out/2000/scores_bar.png" ]; then ok
else bad "docs: the spec example of docs/spec.md: exit $status: $(cat "$TMP/err")"; fi

# --- every option of a command's --help is on its page or in docs/options.md
missing=""
for c in $("$BIN" --help | sed -n '/^commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
  [ -f "docs/$c.md" ] || continue
  for o in $("$BIN" "$c" --help | grep -o -- '--[a-z][a-z0-9-]*' | grep -vx -- --help | sort -u); do
    grep -qE -- "$o([^a-z0-9-]|$)" "docs/$c.md" docs/options.md || missing="$missing $c:$o"
  done
done
if [ -z "$missing" ]; then ok; else bad "docs: options not on their docs/ page:$missing"; fi

# --subset and --pps are in the --help of every command that takes them.
for c in estimate test table model drivers; do
  if "$BIN" $c --help | grep -q -- '--subset EXPR' && "$BIN" $c --help | grep -q -- '--pps brewer'; then ok
  else bad "docs: $c --help lacks --subset or --pps"; fi
done
