import OrchConfig
import OrchSystem

/// `orch check`'s shell check: every command (and exec probe) goes through
/// `/bin/sh -n -c`, which parses without running anything (sh(1) `-n`), so a
/// command the shell cannot parse is found before `orch up` starts anything.
enum ShellSyntax {
    /// One message per command sh cannot parse, naming the config file and line:
    /// `orch.yaml:4: process 'web': sh cannot parse its command: Syntax error: Unterminated quoted string`.
    static func problems(in spec: ProjectSpec) -> [String] {
        var problems: [String] = []
        var checked: [String: String?] = [:]
        let file = displayPath(spec.configFile)
        for process in spec.processes {
            var commands = [("command", process.command)]
            if case let .exec(probe)? = process.ready?.check { commands.append(("ready probe", probe)) }
            for (what, command) in commands {
                let error: String?
                if let known = checked[command] {
                    error = known
                } else {
                    error = parseError(command)
                    checked[command] = error
                }
                guard let error else { continue }
                let location = process.line > 0 ? "\(file):\(process.line)" : file
                problems.append("\(location): process '\(process.name)': sh cannot parse its \(what): \(error)")
            }
        }
        return problems
    }

    /// What `/bin/sh -n -c COMMAND` says is wrong, nil when it parses.
    static func parseError(_ command: String) -> String? {
        // A `|` block ends in a newline: without it, an error at the end is on a line the user wrote.
        var command = command
        while command.last?.isNewline == true { command.removeLast() }
        guard let result = try? ShortCommand.run(["/bin/sh", "-n", "-c", command], environment: ["PATH": "/usr/bin:/bin"]) else {
            return nil
        }
        guard result.status != .exited(0) else { return nil }
        var text = String(decoding: result.output, as: UTF8.self)
        while text.last?.isNewline == true { text.removeLast() }
        // dash: `/bin/sh: 1: Syntax error: …`; bash: `/bin/sh: -c: line 1: …`.
        for prefix in ["/bin/sh: -c: ", "/bin/sh: "] where text.hasPrefix(prefix) {
            text.removeFirst(prefix.count)
            break
        }
        let lines = text.split(separator: "\n")
        if lines.count > 1 { text = lines.map { $0.trimmingCharacters() }.joined(separator: "; ") }
        if text.isEmpty { text = "exit status \(result.status)" }
        if let first = text.first, first.isNumber, let colon = text.firstIndex(of: ":") {
            // `1: Syntax error: …` → `Syntax error: … (line 1 of the command)`
            let line = text[..<colon]
            if line.allSatisfy(\.isNumber) {
                text = String(text[text.index(after: colon)...]).trimmingCharacters()
                if command.contains("\n") { text += " (line \(line) of the command)" }
            }
        }
        return text
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        self[...].trimmingCharacters()
    }
}
