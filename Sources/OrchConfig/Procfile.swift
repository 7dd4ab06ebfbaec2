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
                fail("invalid process name '\(name)': \(nameRule(name))")
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

    /// Why `isValidName` refuses `name`, for error messages.
    public static func nameRule(_ name: String) -> String {
        name.hasPrefix("-") && isValidName("_" + name.dropFirst())
            ? "a name must not start with '-' (`orch up \(name)` would read it as an option)"
            : "use letters, digits, '_' and '-'"
    }

    /// `[A-Za-z0-9_-]+`, the names foreman accepts (and orch uses in instance names),
    /// not starting with `-`: `orch up -x` or `orch ctl restart -x` would read such a
    /// name as an option, so the process could never be addressed.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("-") && name.unicodeScalars.allSatisfy { c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
        }
    }
}

extension String {
    /// Lines split on `\n` with a trailing `\r` removed (files written on Windows);
    /// unlike `split(separator: "\n")`, which sees `\r\n` as one Character.
    func logicalLines() -> [String] {
        // Split on the bytes (a newline is never part of a longer UTF-8 sequence)
        // and copy each line once.
        let bytes = utf8
        var lines: [String] = []
        var start = bytes.startIndex
        var index = start
        while index != bytes.endIndex {
            if bytes[index] == UInt8(ascii: "\n") {
                lines.append(Self.line(self, from: start, to: index))
                start = bytes.index(after: index)
            }
            index = bytes.index(after: index)
        }
        if start != bytes.endIndex { lines.append(Self.line(self, from: start, to: bytes.endIndex)) }
        return lines
    }

    /// The text between two indices, without a trailing `\r`.
    private static func line(_ text: String, from start: String.Index, to end: String.Index) -> String {
        var end = end
        if end > start, text.utf8[text.utf8.index(before: end)] == UInt8(ascii: "\r") { end = text.utf8.index(before: end) }
        return String(text.utf8[start..<end]) ?? String(decoding: text.utf8[start..<end], as: UTF8.self)
    }
}
