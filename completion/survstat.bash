# bash completion for survstat: commands, each command's options (read from
# its --help), files, and column names read from the data file's header
# after the options that take columns (lists after commas too).
# Installed by `make install` into share/bash-completion/completions/.

# The columns of FILE: the first line of a CSV (a .csv.gz through zcat),
# else what `survstat describe` lists (SPSS, Stata, SAS files).
_survstat_columns()
{
    local file=$1 line
    [ -r "$file" ] || return
    case $file in
    *.csv | *.CSV | *.txt | *.tsv)
        IFS= read -r line <"$file" ;;
    *.gz)
        line=$(zcat -- "$file" 2>/dev/null | head -n 1) ;;
    *)
        "${_survstat_bin:-survstat}" describe "$file" --format csv 2>/dev/null |
            awk -F, 'NR > 1 && $0 == "" { exit } NR > 1 { print $1 }'
        return ;;
    esac
    line=${line#$'\xef\xbb\xbf'}
    line=${line%$'\r'}
    # Split on commas outside quotes ("" inside quotes is a quote).
    printf '%s\n' "$line" | awk '{
        f = ""; q = 0
        for (i = 1; i <= length($0); i++) {
            c = substr($0, i, 1)
            if (q && c == "\"" && substr($0, i + 1, 1) == "\"") { f = f c; i++ }
            else if (c == "\"") q = !q
            else if (c == "," && !q) { print f; f = "" }
            else f = f c
        }
        print f }'
}

_survstat()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion -n =:, || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi
    local bin=${_survstat_bin:-survstat}

    if [ "$cword" -eq 1 ]; then
        local cmds
        cmds=$("$bin" --help 2>/dev/null | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
        return
    fi
    local cmd=${words[1]}

    # The data file: the first word after the command that is neither an
    # option nor an option's value (the options without a value are listed).
    local file="" i w before
    for ((i = 2; i < cword; i++)); do
        w=${words[i]}
        before=${words[i - 1]}
        [[ $w == -* ]] && continue
        if [ "$i" -gt 2 ] && [[ $before == -* ]] &&
            ! [[ $before == --@(nest|deff|domain-df|compare|mse|quiet|codes|count|eform|suppress|codebook|force) ]]; then
            continue
        fi
        file=$w
        break
    done

    case $prev in
    --weights | --strata | --ids | --fpc | --mean | --total | --prop | --ratio | --quantile | \
    --t2b | --b2b | --net | --by | --group | --ttest | --chisq | --outcome | --items | \
    --disposition | --rows | --cols | --ref | --size | --stage2)
        local cols prefix=""
        case $cur in *[,/:=]*) prefix=${cur%[,/:=]*}; prefix=$prefix${cur:${#prefix}:1} ;; esac
        cols=$(_survstat_columns "$file")
        local IFS=$'\n'
        COMPREPLY=($(compgen -P "$prefix" -W "$cols" -- "${cur#"$prefix"}"))
        compopt -o nospace 2>/dev/null
        return ;;
    -o | --script | --data | --out | --poststrat | --rake | --calibrate | --labels | --joint-probs | \
    --deff-from | --rates-from)
        COMPREPLY=($(compgen -f -- "$cur"))
        compopt -o filenames 2>/dev/null
        return ;;
    --format)
        COMPREPLY=($(compgen -W "text csv json md xlsx html" -- "$cur")); return ;;
    --lonely-psu)
        COMPREPLY=($(compgen -W "fail remove adjust average certainty" -- "$cur")); return ;;
    --ci-method)
        COMPREPLY=($(compgen -W "logit wald korn-graubard beta likelihood asin xlogit wilson" -- "$cur")); return ;;
    --calfun)
        COMPREPLY=($(compgen -W "linear raking logit" -- "$cur")); return ;;
    --replicate)
        COMPREPLY=($(compgen -W "jk1 jkn brr fay: bootstrap:" -- "$cur")); return ;;
    --rep-type)
        COMPREPLY=($(compgen -W "jk1 jkn jk2 brr fay: bootstrap sdr acs other" -- "$cur")); return ;;
    --family)
        COMPREPLY=($(compgen -W "gaussian binomial poisson ordinal" -- "$cur")); return ;;
    --percent)
        COMPREPLY=($(compgen -W "row col cell" -- "$cur")); return ;;
    --flags)
        COMPREPLY=($(compgen -W "nchs statcan ons" -- "$cur")); return ;;
    esac

    if [[ $cur == -* ]]; then
        local opts
        opts=$("$bin" "$cmd" --help 2>/dev/null | grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    COMPREPLY=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
}

complete -F _survstat survstat
