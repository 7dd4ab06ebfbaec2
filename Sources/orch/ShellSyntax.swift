import OrchConfig
import OrchSystem

/// `orch check`'s shell check: every command (and exec probe) goes through
/// `/bin/sh -n -c`, which parses without running anything (sh(1) `-n`), so a
/// command the shell cannot parse is found before `orch up` starts anything.
enum ShellSyntax {
    /// One message per command sh cannot parse, naming the config file and line:
    /// `orch.yaml:4: process 'web': sh cannot parse its command: Syntax error: Unterminated quoted string`.
    static func problems(in spec: ProjectSpec) -> [String] {
        // Each command once, in file order (a process's command, then its probe's).
        var unique: [String] = []
        var seen = Set<String>(minimumCapacity: spec.processes.count)
        for process in spec.processes {
            if seen.insert(process.command).inserted { unique.append(process.command) }
            if case let .exec(probe)? = process.ready?.check, seen.insert(probe).inserted { unique.append(probe) }
        }
        let errors = parseErrors(unique)
        guard !errors.isEmpty else { return [] }
        let file = displayPath(spec.configFile)
        var problems: [String] = []
        for process in spec.processes {
            var commands = [("command", process.command)]
            if case let .exec(probe)? = process.ready?.check { commands.append(("ready probe", probe)) }
            for (what, command) in commands {
                guard let error = errors[command] else { continue }
                let location = process.line > 0 ? "\(file):\(process.line)" : file
                problems.append("\(location): process '\(process.name)': sh cannot parse its \(what): \(error)")
            }
        }
        return problems
    }

    /// The commands sh cannot parse, with what it says. One `sh -n` reads every
    /// command at once, each as the body of its own function; only when that
    /// fails are the halves read again, down to single commands, so a config of
    /// thousands of good commands costs one sh, not thousands (a 3 ms fork+exec
    /// each), and k bad ones about k·log2(n). At most `limit` are reported.
    static func parseErrors(_ commands: [String], limit: Int = 50) -> [String: String] {
        var errors: [String: String] = [:]
        var pending: [Range<Int>] = commands.isEmpty ? [] : [0..<commands.count]
        while let range = pending.popLast(), errors.count < limit {
            if range.count == 1 {
                if let error = parseError(commands[range.lowerBound]) { errors[commands[range.lowerBound]] = error }
                continue
            }
            if parses(commands[range]) { continue }
            let middle = range.lowerBound + range.count / 2
            // Popped last first: the earlier half is read first.
            pending.append(middle..<range.upperBound)
            pending.append(range.lowerBound..<middle)
        }
        return errors
    }

    /// Whether sh parses all of `commands`, each as a function body, fed on stdin
    /// (a 10 MB config is far past the 128 KiB limit of one argument).
    private static func parses(_ commands: ArraySlice<String>) -> Bool {
        var script: [UInt8] = []
        for command in commands {
            script.append(contentsOf: "orch_check() {\n".utf8)
            script.append(contentsOf: command.utf8)
            script.append(contentsOf: "\n}\n".utf8)
        }
        guard let result = try? ShortCommand.run(["/bin/sh", "-n"], environment: ["PATH": "/usr/bin:/bin"], input: script) else {
            return false
        }
        return result.status == .exited(0)
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
