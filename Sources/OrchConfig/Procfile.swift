/// foreman's Procfile: `name: command` per line, names `[A-Za-z0-9_-]+`, `#`
/// comments and blank lines ignored, order kept.
public enum Procfile {
    public static func parse(_ text: String, file: String) throws(ConfigError) -> [(name: String, command: String, line: Int)] {
        var entries: [(name: String, command: String, line: Int)] = []
        var firstLine: [String: Int] = [:]
        var problems: [ConfigDiagnostic] = []
        for (index, raw) in text.logicalLines().enumerated() {
            let lineNumber = index + 1
            let line = raw.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let column = (raw.unicodeScalars.firstIndex { !$0.properties.isWhitespace }).map { raw.unicodeScalars.distance(from: raw.unicodeScalars.startIndex, to: $0) + 1 } ?? 1
            func fail(_ message: String) {
                problems.append(ConfigDiagnostic(file: file, line: lineNumber, column: column, message: message))
            }
            guard let colon = line.firstIndex(of: ":") else {
                fail("invalid line '\(line)': expected `name: command`")
                continue
            }
            let name = String(line[..<colon])
            let command = line[line.index(after: colon)...].trimmingWhitespace()
            guard isValidName(name) else {
                fail("invalid process name '\(name)': use letters, digits, '_' and '-'")
                continue
            }
            guard !command.isEmpty else {
                fail("process '\(name)' has no command")
                continue
            }
            if let first = firstLine[name] {
                fail("duplicate process '\(name)' (first defined at line \(first))")
                continue
            }
            firstLine[name] = lineNumber
            entries.append((name, command, lineNumber))
        }
        if entries.isEmpty && problems.isEmpty {
            problems.append(ConfigDiagnostic(file: file, message: "Procfile has no processes: add lines like `web: command`"))
        }
        guard problems.isEmpty else { throw ConfigError(diagnostics: problems) }
        return entries
    }

    /// `[A-Za-z0-9_-]+`, the names foreman accepts (and orch uses in instance names).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.allSatisfy { c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
        }
    }
}

extension String {
    /// Lines split on `\n` with a trailing `\r` removed (files written on Windows);
    /// unlike `split(separator: "\n")`, which sees `\r\n` as one Character.
    func logicalLines() -> [String] {
        var lines = unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { scalars -> String in
            var view = String.UnicodeScalarView(scalars)
            if view.last == "\r" { view.removeLast() }
            return String(view)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }
}
