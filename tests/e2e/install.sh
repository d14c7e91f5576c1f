# make install / make uninstall into a DESTDIR, and bash completion.
# Sourced by tests/run_tests.sh.

I=$TMP/install
if make --no-print-directory -s install DESTDIR="$I" PREFIX=/usr/local >"$TMP/inst.log" 2>&1; then
  ok
  P=$I/usr/local
  for f in bin/survstat share/man/man1/survstat.1 share/bash-completion/completions/survstat \
           share/survstat/datasets/apistrat.csv share/survstat/datasets/qingdao.ini; do
    if [ -f "$P/$f" ]; then ok; else bad "install: $f not installed"; fi
  done
  # The installed binary works on the installed data.
  out=$("$P/bin/survstat" estimate "$P/share/survstat/datasets/apistrat.csv" --strata stype \
        --weights pw --fpc fpc --mean api00 --format csv 2>&1)
  if grep -q '^mean,api00,,,662.28736315932' <<<"$(cut -d, -f2- <<<"$out")"; then ok
  else bad "install: installed binary: $out"; fi
  # The man page renders without warnings.
  if command -v man >/dev/null && command -v groff >/dev/null; then
    warn=$(MANWIDTH=80 man --warnings -l "$P/share/man/man1/survstat.1" 2>&1 >/dev/null)
    if [ -z "$warn" ]; then ok; else bad "install: man page warnings: $warn"; fi
  fi
  if make --no-print-directory -s uninstall DESTDIR="$I" PREFIX=/usr/local >>"$TMP/inst.log" 2>&1 &&
     [ -z "$(find "$I" -type f)" ]; then ok
  else bad "uninstall: left $(find "$I" -type f | head -3) $(cat "$TMP/inst.log")"; fi
else
  bad "install: $(tail -3 "$TMP/inst.log")"
fi

# Bash completion: commands, options from a command's --help, column names
# from the file's header (after a comma too), values of an option.
complete_words() { # complete_words WORD... : the completions of the last word
  bash -c '
    _survstat_bin=$1; shift
    compopt() { :; }
    . completion/survstat.bash
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    _survstat
    printf "%s\n" "${COMPREPLY[@]}"' _ "$BIN" "$@"
}
out=$(complete_words survstat est)
if [ "$out" = estimate ]; then ok; else bad "completion: command: '$out'"; fi
out=$(complete_words survstat estimate datasets/apistrat.csv --stra)
if [ "$out" = --strata ]; then ok; else bad "completion: option: '$out'"; fi
out=$(complete_words survstat estimate datasets/apistrat.csv --strata s)
if grep -qx stype <<<"$out" && grep -qx sname <<<"$out" && ! grep -qx api00 <<<"$out"; then ok
else bad "completion: columns: '$out'"; fi
out=$(complete_words survstat estimate datasets/apistrat.csv --weights pw --mean api00,api9)
if [ "$out" = api00,api99 ]; then ok; else bad "completion: list: '$out'"; fi
out=$(complete_words survstat estimate datasets/apistrat.csv --ci-method ko)
if [ "$out" = korn-graubard ]; then ok; else bad "completion: value: '$out'"; fi
