/// Turns the words after `orch` into one request, by the command tables alone.
///
/// The rules are the ones users know from other Swift and Go tools: a value option
/// takes `--name value`, `--name=value`, `-n value`, `-nvalue` or `-n=value`; flags
/// combine (`-fv`); the first `--` ends the options and every word after it is positional;
/// `-h`/`--help` anywhere before it (also among combined flags, `-fh`) asks for the
/// command's help; a value that looks like an option (`-e --`) is a missing value,
/// not the value; a lone `-` is a positional word (stdin, by convention). Errors
/// quote at most 200 characters of the word they name.
public enum Request: Sendable {
    case run(CommandSpec, Parsed)
    /// The help of the command at this path below the root.
    case help([String])
    case version
    case completionScript(shell: String)
    /// `orch ---complete INDEX WORDS...`: what to offer for WORDS[INDEX].
    case complete(index: Int, words: [String])
    /// `orch ---manual DATE`: the man page.
    case manual(date: String)
}

public enum Parser {
    public static let shells = ["bash", "zsh", "fish"]

    public static func parse(_ root: CommandSpec, _ arguments: [String]) throws(UsageError) -> Request {
        // Hidden requests, only as the first word: the shell scripts and the docs script use them.
        if let first = arguments.first {
            switch first {
            case "---complete":
                guard arguments.count >= 2, let index = Int(arguments[1]), index >= 0 else {
                    throw UsageError("---complete needs the index of the word to complete, then the words", path: nil)
                }
                return .complete(index: index, words: Array(arguments.dropFirst(2)))
            case "---manual":
                return .manual(date: arguments.count >= 2 ? arguments[1] : "")
            default:
                if first == "--generate-completion-script" || first.hasPrefix("--generate-completion-script=") {
                    let shell = first.contains("=") ? String(first.drop { $0 != "=" }.dropFirst()) : (arguments.count >= 2 ? arguments[1] : "")
                    guard shells.contains(shell) else {
                        throw UsageError("--generate-completion-script needs a shell: \(shells.joined(separator: ", "))", path: nil)
                    }
                    return .completionScript(shell: shell)
                }
            }
        }

        var command = root
        var path: [String] = []
        var index = 0
        // Down the tree: each word names a subcommand until a command that runs.
        while !command.subcommands.isEmpty {
            guard index < arguments.count else {
                // `orch`, `orch ctl`: the help says what there is to run.
                return .help(path)
            }
            let word = arguments[index]
            index += 1
            if word == "-h" || word == "--help" { return .help(path) }
            if word == "--version" { return .version }
            if word == "help", path.isEmpty {
                return .help(try helpPath(root, Array(arguments[index...])))
            }
            if let sub = command.subcommand(named: word) {
                command = sub
                path.append(sub.name)
                continue
            }
            if word.hasPrefix("-") && word.count > 1 {
                throw UsageError("Unknown option '\(UsageError.excerpt(word))'", path: path)
            }
            throw UsageError("Unexpected argument '\(UsageError.excerpt(word))'", path: path)
        }
        return try parseCommand(command, path: path, Array(arguments[index...]))
    }

    /// `orch help ctl ps` → ["ctl", "ps"]; an unknown name is an error.
    private static func helpPath(_ root: CommandSpec, _ words: [String]) throws(UsageError) -> [String] {
        var command = root
        var path: [String] = []
        for word in words {
            guard let sub = command.subcommand(named: word) else {
                throw UsageError("Unknown subcommand '\(UsageError.excerpt(word))'", path: path)
            }
            command = sub
            path.append(sub.name)
        }
        return path
    }

    private static func parseCommand(_ command: CommandSpec, path: [String], _ arguments: [String]) throws(UsageError) -> Request {
        var parsed = Parsed(path: path, spec: command)
        var words: [String] = []
        var index = 0

        func looksLikeOption(_ word: String) -> Bool { word.hasPrefix("-") && word.count > 1 }

        /// The next word as the value of `option` (typed as `typed`), or a missing-value error.
        func nextValue(_ option: OptionSpec, typed: String) throws(UsageError) -> String {
            guard index < arguments.count, !looksLikeOption(arguments[index]) else {
                throw UsageError("Missing value for '\(option.synopsis(asTyped: typed))'", help: "\(option.synopsis(asTyped: typed))  \(option.help)", path: path)
            }
            index += 1
            return arguments[index - 1]
        }

        func store(_ option: OptionSpec, _ value: String) {
            if option.repeating {
                parsed.values[option.long, default: []].append(value)
            } else {
                parsed.values[option.long] = [value]
            }
        }

        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if word == "--" {
                let rest = Array(arguments[index...])
                parsed.afterTerminator = rest
                words += rest
                break
            }
            if word == "-h" || word == "--help" { return .help(path) }
            if word == "--version" { return .version }
            if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let attached: String? = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
                guard let (option, negated) = command.option(long: name) else {
                    // `--name=value` is named without its value; `--=x` has no name to name.
                    throw UsageError("Unknown option '\(UsageError.excerpt(name.isEmpty ? word : "--" + name))'", path: path)
                }
                if option.takesValue {
                    if let attached {
                        store(option, attached)
                    } else {
                        store(option, try nextValue(option, typed: "--\(name)"))
                    }
                } else {
                    guard attached == nil else { throw UsageError("The option '--\(name)' takes no value", path: path) }
                    parsed.flags[option.long] = !negated
                }
                continue
            }
            if looksLikeOption(word) {
                // One or more short options: flags combine, a value option takes the rest of the word or the next one.
                let letters = Array(word.dropFirst())
                var position = 0
                while position < letters.count {
                    let letter = letters[position]
                    guard let option = command.option(short: letter) else {
                        // `-fh` asks for help as `-f -h` would, unless the command has its own `-h`.
                        if letter == "h" { return .help(path) }
                        throw UsageError("Unknown option '-\(UsageError.excerpt(String(letter)))'", path: path)
                    }
                    if option.takesValue {
                        // `-fVALUE`, and `-f=VALUE` as ArgumentParser and Go's flag read it.
                        var rest = String(letters[(position + 1)...])
                        if rest.hasPrefix("=") { rest.removeFirst() } else if rest.isEmpty { rest = try nextValue(option, typed: "-\(letter)") }
                        store(option, rest)
                        break
                    }
                    parsed.flags[option.long] = true
                    position += 1
                }
                continue
            }
            words.append(word)
        }

        // Positional words, in order; a repeating argument takes the rest.
        var remaining = words[...]
        for argument in command.arguments {
            if argument.repeating {
                parsed.positionals[argument.name] = Array(remaining)
                if remaining.isEmpty && !argument.optional {
                    throw UsageError("Missing expected argument '\(argument.synopsis)'", help: "<\(argument.name)>  \(argument.help)", path: path)
                }
                remaining = []
            } else if let word = remaining.popFirst() {
                parsed.positionals[argument.name] = [word]
            } else if !argument.optional {
                throw UsageError("Missing expected argument '\(argument.synopsis)'", help: "<\(argument.name)>  \(argument.help)", path: path)
            }
        }
        if let extra = remaining.first {
            throw UsageError("Unexpected argument '\(UsageError.excerpt(extra))'", path: path)
        }
        return .run(command, parsed)
    }
}
