/// Shell completion. The scripts are small and the same for every version of the
/// CLI: they hand the words typed so far to `orch ---complete INDEX WORDS...`, and
/// orch answers from its command tables, one candidate per line. `:file` or
/// `:directory` alone asks the shell to complete a path itself.
public enum Completion {
    public static func candidates(_ root: CommandSpec, index: Int, words: [String]) -> [String] {
        // The scripts never ask for a word before the first; anything else is past the end.
        guard index >= 0 else { return [] }
        let current = index < words.count ? words[index] : ""
        let before = words.prefix(min(index, words.count))
        let all = Array(words)

        var command = root
        var position = before.startIndex
        // `orch help ctl <TAB>` offers the subcommands `orch ctl <TAB>` does, and
        // nothing once the path names a command that runs (`help` takes only names).
        let help = before.first == "help"
        if help { position += 1 }
        while position < before.endIndex, !command.subcommands.isEmpty {
            guard let sub = command.subcommand(named: before[position]) else { return [] }
            command = sub
            position += 1
        }
        if help {
            return position == before.endIndex && !current.hasPrefix("-") ? matching(command.subcommands.map(\.name), current) : []
        }
        if !command.subcommands.isEmpty {
            if current.hasPrefix("-") { return matching(["--help", "--version"], current) }
            var names = command.subcommands.map(\.name)
            if command.name == root.name && position == before.startIndex { names.append("help") }
            return matching(names, current)
        }

        // Where the cursor is among the command's own words.
        var pending: OptionSpec?
        // bash splits `--name=value` and `-n=value` into `--name`, `=`, `value`
        // (`=` is in COMP_WORDBREAKS): an `=` right after the option is no value.
        var pendingSplit = false
        var positionals = 0
        var afterTerminator = false
        for word in before[position...] {
            if pending != nil {
                if pendingSplit && word == "=" { pendingSplit = false } else { pending = nil }
                continue
            }
            if afterTerminator { positionals += 1; continue }
            if word == "--" { afterTerminator = true; continue }
            if word.hasPrefix("--") {
                if !word.contains("="), let (option, _) = command.option(long: String(word.dropFirst(2))), option.takesValue {
                    pending = option
                    pendingSplit = true
                }
                continue
            }
            if word.hasPrefix("-") && word.count > 1 {
                // As the parser reads it: `-f` and `-af` (flags, then a value option
                // that ends the word) wait for the value; `-fPATH`, `-f=PATH` and flags do not.
                var rest = word.dropFirst()
                while let letter = rest.first, let option = command.option(short: letter) {
                    rest = rest.dropFirst()
                    if option.takesValue {
                        if rest.isEmpty { pending = option; pendingSplit = true }
                        break
                    }
                }
                continue
            }
            positionals += 1
        }
        if let pending {
            // bash at `--color=<TAB>`: the word is the `=`, the value is still to come.
            return offer(pending.completion, pendingSplit && current == "=" ? "" : current, all)
        }
        // zsh and fish at `--color=al<TAB>`: one word; offer it whole, `--color=always`.
        // A path after `=` is left to the shell (bash splits it off and completes it).
        if !afterTerminator, current.hasPrefix("--"), let equals = current.firstIndex(of: "="),
           let (option, _) = command.option(long: String(current.dropFirst(2)[..<equals])), option.takesValue {
            switch option.completion {
            case .list, .dynamic:
                let name = String(current[...equals])
                return offer(option.completion, String(current[current.index(after: equals)...]), all).map { name + $0 }
            case .none, .file, .directory:
                return []
            }
        }
        if !afterTerminator && current.hasPrefix("-") {
            var names: [String] = []
            for option in command.options {
                names.append("--" + option.long)
                if case .inversion = option.kind { names.append("--no-" + option.long) }
            }
            return matching(names + ["--help"], current)
        }
        var remaining = positionals
        for argument in command.arguments {
            if argument.repeating || remaining == 0 { return offer(argument.completion, current, all) }
            remaining -= 1
        }
        return []
    }

    private static func offer(_ kind: CompletionKind, _ current: String, _ words: [String]) -> [String] {
        switch kind {
        case .none: return []
        case .file: return [":file"]
        case .directory: return [":directory"]
        case let .list(values): return matching(values, current)
        case let .dynamic(compute): return matching(compute(words), current)
        }
    }

    private static func matching(_ candidates: [String], _ current: String) -> [String] {
        candidates.filter { $0.hasPrefix(current) }
    }

    /// The script for `shell` (one of `Parser.shells`), as committed in completions/.
    public static func script(shell: String, program: String) -> String {
        switch shell {
        case "bash": return bash(program)
        case "zsh": return zsh(program)
        default: return fish(program)
        }
    }

    static func bash(_ program: String) -> String {
        """
        #!/bin/bash
        # bash completion for \(program). \(program) computes the candidates itself
        # (`\(program) ---complete INDEX WORDS...`), so this script never changes with the CLI.
        # Install: source it from ~/.bashrc, or copy it to
        # /usr/share/bash-completion/completions/\(program).

        _\(program)() {
            local IFS=$'\\n'
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

        complete -F _\(program) \(program)

        """
    }

    static func zsh(_ program: String) -> String {
        """
        #compdef \(program)
        # zsh completion for \(program). \(program) computes the candidates itself
        # (`\(program) ---complete INDEX WORDS...`), so this script never changes with the CLI.
        # Install: put this file, named _\(program), in a directory of $fpath before compinit.

        _\(program)() {
            local -a candidates
            candidates=("${(@f)$("${words[1]}" ---complete "$((CURRENT - 2))" "${(@)words[2,-1]}" 2>/dev/null)}")
            case "${candidates[1]}" in
            :file) _files ;;
            :directory) _files -/ ;;
            *) [[ -n "${candidates[1]}" ]] && compadd -- "${candidates[@]}" ;;
            esac
        }

        if [[ "${funcstack[1]}" = _\(program) ]]; then
            _\(program) "${@}"
        else
            compdef _\(program) \(program)
        fi

        """
    }

    static func fish(_ program: String) -> String {
        """
        # fish completion for \(program). \(program) computes the candidates itself
        # (`\(program) ---complete INDEX WORDS...`), so this script never changes with the CLI.
        # Install: copy it to ~/.config/fish/completions/\(program).fish.

        function __\(program)_complete
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
                    printf '%s\\n' $candidates
            end
        end

        complete -c \(program) -f -a '(__\(program)_complete)'

        """
    }
}
