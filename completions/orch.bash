#!/bin/bash
# bash completion for orch. orch computes the candidates itself
# (`orch ---complete INDEX WORDS...`), so this script never changes with the CLI.
# Install: source it from ~/.bashrc, or copy it to
# /usr/share/bash-completion/completions/orch.

_orch() {
    local IFS=$'\n'
    local current="${COMP_WORDS[COMP_CWORD]}"
    # `--file=<TAB>`: bash split the word at `=`; complete what comes after it.
    [[ "${current}" == "=" && "${COMP_WORDS[COMP_CWORD - 1]}" == -* ]] && current=""
    local -a candidates
    candidates=($("${COMP_WORDS[0]}" ---complete "$((COMP_CWORD - 1))" "${COMP_WORDS[@]:1}" 2>/dev/null))
    case "${candidates[0]-}" in
    :file)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "${current}"))
        ;;
    :directory)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -d -- "${current}"))
        ;;
    *)
        COMPREPLY=("${candidates[@]}")
        ;;
    esac
}

complete -F _orch orch
