import Yams

/// Turns orch.yaml text into a Yams node tree, keeping marks for messages.
///
/// Yams refuses a mapping with a duplicated key as a whole, naming only the first
/// occurrence. To report the duplicate where it is and still check the rest of
/// the file, the composer finds the later occurrence in the text, renames it to
/// a placeholder and composes again; the reader reports each placeholder it meets
/// as a duplicate.
struct YAMLComposer {
    struct Duplicate: Equatable {
        var key: String
        /// Line of the first occurrence.
        var firstLine: Int
    }

    static let placeholderPrefix = "__orch_duplicate_"

    var root: Node?
    var diagnostics: [ConfigDiagnostic] = []
    var duplicates: [String: Duplicate] = [:]

    init(_ text: String, file: String) {
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
        var current = text
        for attempt in 0..<200 {
            do {
                root = try Yams.compose(yaml: current, .basic)
                return
            } catch let YamlError.duplicatedKeysInMapping(keys, context) {
                guard let key = keys.first,
                      let found = Self.locateDuplicate(of: key, first: context.mark, in: lines)
                else {
                    let message = "duplicate key '\(keys.first ?? "?")'"
                    diagnostics.append(ConfigDiagnostic(file: file, line: context.mark.line, column: context.mark.column, message: message))
                    return
                }
                let placeholder = "\(Self.placeholderPrefix)\(attempt)__"
                duplicates[placeholder] = Duplicate(key: key, firstLine: context.mark.line)
                lines[found.line].replaceSubrange(found.column..<(found.column + found.length), with: placeholder.unicodeScalars)
                current = String(String.UnicodeScalarView(lines.joined(separator: ["\n"])))
            } catch let error as YamlError {
                diagnostics.append(Self.diagnostic(for: error, file: file))
                return
            } catch {
                diagnostics.append(ConfigDiagnostic(file: file, message: "invalid YAML: \(error)"))
                return
            }
        }
        diagnostics.append(ConfigDiagnostic(file: file, message: "too many duplicate keys"))
    }

    /// The renamed key's original line and column, for a placeholder's message.
    func original(of placeholder: String) -> Duplicate? {
        duplicates[placeholder]
    }

    static func diagnostic(for error: YamlError, file: String) -> ConfigDiagnostic {
        func make(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> ConfigDiagnostic {
            var message = "invalid YAML: \(problem)"
            if let context, !context.text.isEmpty {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return ConfigDiagnostic(file: file, line: mark.line, column: mark.column, message: message)
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            return make(problem, context, mark)
        case let .reader(problem, _, _, _):
            return ConfigDiagnostic(file: file, message: "invalid YAML: \(problem)")
        default:
            return ConfigDiagnostic(file: file, message: "invalid YAML: \(error)")
        }
    }

    /// Where the second occurrence of `key` sits, in the mapping whose first
    /// occurrence is at `first` (0-based line and column, length of the key as written).
    static func locateDuplicate(of key: String, first: Mark, in lines: [[Unicode.Scalar]]) -> (line: Int, column: Int, length: Int)? {
        let startLine = first.line - 1, startColumn = first.column - 1
        guard lines.indices.contains(startLine), startColumn >= 0, startColumn <= lines[startLine].count else { return nil }
        let forms = [key, "\"\(key)\"", "'\(key)'"].map { Array($0.unicodeScalars) }
        func keyLength(line: Int, column: Int) -> Int? {
            let text = lines[line]
            for form in forms where column + form.count <= text.count && Array(text[column..<(column + form.count)]) == form {
                var end = column + form.count
                while end < text.count, text[end] == " " || text[end] == "\t" { end += 1 }
                if end < text.count, text[end] == ":" { return form.count }
            }
            return nil
        }
        guard let firstLength = keyLength(line: startLine, column: startColumn) else { return nil }
        let before = lines[startLine][..<startColumn]
        if before.allSatisfy({ $0 == " " || $0 == "-" }) {
            // Block mapping: the next key at the same indentation, until the mapping ends.
            for line in (startLine + 1)..<lines.count {
                let text = lines[line]
                let indent = text.prefix { $0 == " " }.count
                if indent == text.count || text[indent] == "#" || text[indent] == "\r" { continue }
                if indent < startColumn { return nil }
                if indent == startColumn, let length = keyLength(line: line, column: indent) {
                    return (line, indent, length)
                }
            }
            return nil
        }
        // Flow mapping: the next key after a comma at the same depth, before the closing brace.
        var line = startLine, column = startColumn + firstLength
        var depth = 0
        var quote: Unicode.Scalar?
        var afterComma = false
        while line < lines.count {
            while column < lines[line].count {
                let c = lines[line][column]
                if let open = quote {
                    if c == "\\" && open == "\"" { column += 1 } else if c == open { quote = nil }
                } else if afterComma && c != " " && c != "\t" && c != "\r" {
                    afterComma = false
                    if let length = keyLength(line: line, column: column) { return (line, column, length) }
                    continue
                } else if c == "\"" || c == "'" {
                    quote = c
                } else if c == "{" || c == "[" {
                    depth += 1
                } else if c == "}" || c == "]" {
                    if depth == 0 { return nil }
                    depth -= 1
                } else if c == "," && depth == 0 {
                    afterComma = true
                }
                column += 1
            }
            line += 1
            column = 0
        }
        return nil
    }
}
