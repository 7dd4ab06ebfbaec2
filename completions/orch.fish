# fish completion for orch. orch computes the candidates itself
# (`orch ---complete INDEX WORDS...`), so this script never changes with the CLI.
# Install: copy it to ~/.config/fish/completions/orch.fish.

function __orch_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l program $tokens[1]
    set -e tokens[1]
    set -l candidates ($program ---complete (count $tokens) $tokens "$current" 2>/dev/null)
    switch "$candidates[1]"
        case :file
            __fish_complete_path "$current"
        case :directory
            __fish_complete_directories "$current"
        case '*'
            printf '%s\n' $candidates
    end
end

complete -c orch -f -a '(__orch_complete)'
