/// `.env` files: `KEY=value` or `export KEY=value`, one a line; `#` starts a comment
/// (a whole line, or after whitespace following an unquoted value). Single quotes
/// are literal; double quotes understand `\n \t \r \" \\` (other backslashes are
/// kept) and, like single quotes, may span lines. Unquoted values are trimmed.
/// Values are not interpolated. A line that cannot be read is skipped with a
/// warning; a key given twice takes its later value.
public enum Dotenv {
    public static func parse(_ text: String, file: String) -> (values: [(String, String)], warnings: [ConfigDiagnostic]) {
        let lines = text.logicalLines()
        var values: [(String, String)] = []
        var warnings: [ConfigDiagnostic] = []
        var index = 0
        while index < lines.count {
            let lineNumber = index + 1
            var line = Substring(lines[index])
            index += 1
            func warn(_ message: String) {
                warnings.append(ConfigDiagnostic(file: file, line: lineNumber, message: message + "; line skipped"))
            }
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") || line.hasPrefix("export\t") {
                line = line.dropFirst("export".count).drop { $0 == " " || $0 == "\t" }
            }
            guard let equals = line.firstIndex(of: "=") else {
                warn("expected KEY=value, got '\(line.trimmingWhitespace())'")
                continue
            }
            let key = line[..<equals].trimmingWhitespace()
            guard Interpolation.isVariableName(key) else {
                warn("invalid variable name '\(key)' (use letters, digits and '_', not starting with a digit)")
                continue
            }
            let value = line[line.index(after: equals)...]
            var rest = value.drop { $0 == " " || $0 == "\t" }
            guard let quote = rest.first, quote == "\"" || quote == "'" else {
                values.append((key, unquoted(value)))
                continue
            }
            // A quoted value runs to its closing quote, across lines if need be.
            rest = rest.dropFirst()
            var body = ""
            var closed = false
            var trailing = Substring("")
            while true {
                if let end = closingQuote(quote, in: rest) {
                    body += rest[..<end]
                    trailing = rest[rest.index(after: end)...]
                    closed = true
                    break
                }
                body += rest
                guard index < lines.count else { break }
                body += "\n"
                rest = Substring(lines[index])
                index += 1
            }
            guard closed else {
                warn("unterminated \(quote == "'" ? "single" : "double")-quoted value for '\(key)'")
                continue
            }
            let after = trailing.trimmingWhitespace()
            if !after.isEmpty && !after.hasPrefix("#") {
                warn("unexpected text after the closing quote of '\(key)': '\(after)'")
                continue
            }
            values.append((key, quote == "'" ? body : unescaped(body)))
        }
        return (values, warnings)
    }

    /// An unquoted value: up to a ` #` comment, trimmed (`COLOR=#fff` keeps its `#`).
    private static func unquoted(_ text: Substring) -> String {
        var previousIsSpace = false
        for index in text.indices {
            let c = text[index]
            if c == "#" && previousIsSpace { return text[..<index].trimmingWhitespace() }
            previousIsSpace = c == " " || c == "\t"
        }
        return text.trimmingWhitespace()
    }

    private static func closingQuote(_ quote: Character, in text: Substring) -> Substring.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if c == quote { return index }
            if quote == "\"" && c == "\\" {
                index = text.index(after: index)
                if index == text.endIndex { return nil }
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func unescaped(_ text: String) -> String {
        var out = ""
        var escaping = false
        for c in text {
            if escaping {
                switch c {
                case "n": out.append("\n")
                case "t": out.append("\t")
                case "r": out.append("\r")
                case "\"": out.append("\"")
                case "\\": out.append("\\")
                default: out.append("\\"); out.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        if escaping { out.append("\\") }
        return out
    }
}
