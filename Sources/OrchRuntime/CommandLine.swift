import OrchSystem

/// How a process's command is started. Commands go to `/bin/sh -c` as written; a
/// plain command (words only, no quoting, expansion, redirection or shell keyword)
/// is exec'd directly, which is what the shell would end up running, minus one
/// process and one exec. `exec cmd args` counts as plain too.
enum CommandLine {
    static let shellWords: Set<String> = [
        "exec", "cd", "export", "set", "unset", "trap", "eval", ".", "source", "ulimit", "umask", "wait", "read",
        "while", "until", "for", "if", "case", "function", "select", "time", "alias", "readonly", "shift", "local",
        "return", "exit", "break", "continue", "command", "builtin", "type", "hash", "jobs", "fg", "bg", "!",
    ]

    /// The argv for a plain command, nil when the shell is needed.
    static func plainArguments(_ command: String) -> [String]? {
        for scalar in command.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", " ", "-", "_", ".", "/", ",", ":", "+", "@", "%", "=", "^":
                continue
            default:
                return nil
            }
        }
        var words = command.split(separator: " ").map(String.init)
        if words.first == "exec" { words.removeFirst() }
        guard let first = words.first, !shellWords.contains(first), !first.contains("=") else { return nil }
        return words
    }

    /// (program, argv) to exec for a command in an environment.
    static func resolve(_ command: String, environment: [String: String]) -> (path: String, arguments: [String]) {
        if let words = plainArguments(command), let program = Spawner.findExecutable(words[0], path: environment["PATH"]) {
            return (program, words)
        }
        return ("/bin/sh", ["/bin/sh", "-c", command])
    }
}
