/// `.env` files: `KEY=value` or `export KEY=value`, one a line; `#` starts a comment
/// (a whole line, or after whitespace following an unquoted value). Single quotes
/// are literal; double quotes understand `\n \t \r \" \\` (other backslashes are
/// kept) and, like single quotes, may span lines. Unquoted values are trimmed.
/// Values are not interpolated. A line that cannot be read is skipped with a
/// warning; a key given twice takes its later value.
public enum Dotenv {
    /// The pairs in order; `warnings` for lines skipped, `errors` for values orch
    /// cannot pass on (a NUL byte). Messages name the key and the position, never
    /// a value: a `.env` holds secrets, and warnings end up in CI logs.
    public static func parse(_ text: String, file: String) -> (values: [(String, String)], warnings: [ConfigDiagnostic], errors: [ConfigDiagnostic]) {
        let lines = text.logicalLines()
        var values: [(String, String)] = []
        var warnings: [ConfigDiagnostic] = []
        var errors: [ConfigDiagnostic] = []
        var index = 0
        while index < lines.count {
            let lineNumber = index + 1
            let whole = lines[index]
            var line = Substring(whole)
            index += 1
            func column(_ position: Substring.Index) -> Int {
                whole.unicodeScalars.distance(from: whole.unicodeScalars.startIndex, to: position) + 1
            }
            func warn(_ message: String, at position: Substring.Index) {
                warnings.append(ConfigDiagnostic(file: file, line: lineNumber, column: column(position), message: message + "; line skipped"))
            }
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") || line.hasPrefix("export\t") {
                line = line.dropFirst("export".count).drop { $0 == " " || $0 == "\t" }
            }
            guard let equals = line.firstIndex(of: "=") else {
                warn("expected KEY=value, found no '='", at: line.startIndex)
                continue
            }
            let keyText = line[..<equals]
            let key = keyText.trimmingWhitespace()
            guard Interpolation.isVariableName(key) else {
                // Say what is wrong and where, without quoting the line: a line
                // without a proper name may well be a pasted secret.
                let start = keyText.firstIndex { $0 != " " && $0 != "\t" } ?? equals
                var bad: Substring.Index?
                var i = start
                while i < equals {
                    let c = keyText[i]
                    if c == " " || c == "\t" {
                        if keyText[i...].allSatisfy({ $0 == " " || $0 == "\t" }) { break }
                        bad = i
                        break
                    }
                    if !c.unicodeScalars.allSatisfy(Interpolation.isName) {
                        bad = i
                        break
                    }
                    i = keyText.index(after: i)
                }
                let rule = "(use letters, digits and '_', not starting with a digit)"
                if key.isEmpty {
                    warn("no variable name before '='", at: equals)
                } else if let bad {
                    warn("invalid variable name: \(describe(keyText[bad])) is not allowed in a name \(rule)", at: bad)
                } else {
                    warn("invalid variable name: it starts with a digit \(rule)", at: start)
                }
                continue
            }
            let value = line[line.index(after: equals)...]
            var rest = value.drop { $0 == " " || $0 == "\t" }
            guard let quote = rest.first, quote == "\"" || quote == "'" else {
                let unquotedValue = unquoted(value)
                if unquotedValue.utf8.contains(0) {
                    errors.append(nulError(key: key, file: file, line: lineNumber, column: column(equals) + 1))
                    continue
                }
                values.append((key, unquotedValue))
                continue
            }
            // A quoted value runs to its closing quote, across lines if need be.
            let valueColumn = column(rest.startIndex)
            rest = rest.dropFirst()
            var body = ""
            var closed = false
            var trailing = Substring("")
            var lastLine = whole
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
                lastLine = lines[index]
                rest = Substring(lastLine)
                index += 1
            }
            guard closed else {
                warn("unterminated \(quote == "'" ? "single" : "double")-quoted value for '\(key)'", at: line.startIndex)
                continue
            }
            let afterQuote = trailing.drop { $0 == " " || $0 == "\t" }
            if let first = afterQuote.first, first != "#" {
                // Not quoted back: it may be part of the secret.
                let textColumn = lastLine.unicodeScalars.distance(from: lastLine.unicodeScalars.startIndex, to: afterQuote.startIndex) + 1
                warnings.append(ConfigDiagnostic(
                    file: file, line: index, column: textColumn,
                    message: "unexpected text after the closing quote of '\(key)'; line skipped"))
                continue
            }
            if body.utf8.contains(0) {
                errors.append(nulError(key: key, file: file, line: lineNumber, column: valueColumn))
                continue
            }
            values.append((key, quote == "'" ? body : unescaped(body)))
        }
        return (values, warnings, errors)
    }

    static func nulError(key: String, file: String, line: Int, column: Int) -> ConfigDiagnostic {
        ConfigDiagnostic(file: file, line: line, column: column, message: "the value of '\(key)' contains a NUL byte, which no environment can hold: remove it")
    }

    /// A character named without quoting the text around it: `'-'`, `a space`.
    static func describe(_ c: Character) -> String {
        switch c {
        case " ": return "a space"
        case "\t": return "a tab"
        case "\0": return "a NUL byte"
        default:
            guard let scalar = c.unicodeScalars.first, scalar.properties.isWhitespace || scalar.value < 0x20 || scalar.value == 0x7F else { return "'\(c)'" }
            return "the character U+\(String(scalar.value, radix: 16, uppercase: true))"
        }
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
