/// `--help` and the usage line of errors, rendered from the command tables.
public enum Help {
    static let helpOption = OptionSpec.flag("help", short: "h", help: "Show help information.")
    static let versionOption = OptionSpec.flag("version", help: "Show the version.")

    /// The command at `path` below `root`.
    static func command(_ root: CommandSpec, at path: [String]) -> CommandSpec {
        var command = root
        for name in path {
            guard let sub = command.subcommand(named: name) else { break }
            command = sub
        }
        return command
    }

    /// The help text of the command at `path`, wrapped to `width` columns.
    public static func text(_ root: CommandSpec, path: [String], width: Int) -> String {
        let command = command(root, at: path)
        let fullName = ([root.name] + path).joined(separator: " ")
        var out = ""
        out += wrap("OVERVIEW: " + command.abstract, width: width) + "\n"
        if !command.discussion.isEmpty {
            out += "\n"
            for line in command.discussion.split(separator: "\n", omittingEmptySubsequences: false) {
                // Indented lines (examples) are kept as written.
                out += (line.first == " " ? String(line) : wrap(String(line), width: width)) + "\n"
            }
        }
        out += "\n" + wrap("USAGE: " + usage(command, fullName: fullName), width: width, indent: 2) + "\n"
        if !command.arguments.isEmpty {
            out += "\nARGUMENTS:\n"
            for argument in command.arguments {
                out += entry("<\(argument.name)>", argument.help, width: width)
            }
        }
        out += "\nOPTIONS:\n"
        for option in command.options + [versionOption, helpOption] {
            out += entry(label(option), helpText(option), width: width)
        }
        if !command.subcommands.isEmpty {
            out += "\nSUBCOMMANDS:\n"
            for sub in command.subcommands {
                out += entry(([sub.name] + sub.aliases).joined(separator: ", "), sub.abstract, width: width)
            }
            out += "\n  See '\(root.name) help \(path.isEmpty ? "" : path.joined(separator: " ") + " ")<subcommand>' for detailed help.\n"
        }
        return out
    }

    /// `-f, --file <file>`, `--timestamps/--no-timestamps`.
    static func label(_ option: OptionSpec) -> String {
        (option.short.map { "-\($0), " } ?? "") + option.longSynopsis
    }

    static func helpText(_ option: OptionSpec) -> String {
        option.defaultText.map { option.help + " (\($0))" } ?? option.help
    }

    /// `orch up [<options>] [<names> ...]`, or every option when that fits on a line.
    static func usage(_ command: CommandSpec, fullName: String) -> String {
        if !command.subcommands.isEmpty { return fullName + " <subcommand>" }
        let arguments = command.arguments.map(\.synopsis)
        let options = command.options.map { option in "[" + option.longSynopsis + (option.repeating ? " ..." : "") + "]" }
        let full = ([fullName] + arguments + options).joined(separator: " ")
        if full.count <= 80 || options.isEmpty { return full }
        return ([fullName, "[<options>]"] + arguments).joined(separator: " ")
    }

    /// One line of a list: the label in a 24-column field, the text wrapped after it.
    static func entry(_ label: String, _ text: String, width: Int) -> String {
        let column = 26
        // At least 20 columns of text, whatever width was asked for (no overflow at Int.min).
        let body = wrapLines(text, width: max(width, column + 20) - column)
        var out = "  " + label
        if label.count <= column - 4 {
            out += String(repeating: " ", count: column - 2 - label.count)
        } else {
            out += "\n" + String(repeating: " ", count: column)
        }
        out += body.joined(separator: "\n" + String(repeating: " ", count: column)) + "\n"
        return out
    }

    /// Greedy word wrap; continuation lines get `indent` spaces.
    static func wrap(_ text: String, width: Int, indent: Int = 0) -> String {
        wrapLines(text, width: width, indent: indent).joined(separator: "\n")
    }

    static func wrapLines(_ text: String, width: Int, indent: Int = 0) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if line.isEmpty {
                line = (lines.isEmpty ? "" : String(repeating: " ", count: indent)) + word
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(repeating: " ", count: indent) + word
            }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// The width to wrap help to: COLUMNS when it is a sane number, else 80.
    static func width(environment: [String: String]) -> Int {
        if let text = environment["COLUMNS"], let columns = Int(text), (40...1000).contains(columns) { return columns }
        return 80
    }

    /// What an error prints after its message.
    static func errorText(_ error: UsageError, root: CommandSpec) -> String {
        var out = "Error: \(error.description)\n"
        if let help = error.help { out += "Help:  \(help)\n" }
        let path = error.path ?? []
        let command = command(root, at: path)
        let fullName = ([root.name] + path).joined(separator: " ")
        out += "Usage: \(usage(command, fullName: fullName))\n"
        out += "  See '\(fullName) --help' for more information.\n"
        return out
    }
}
