import Foundation

/// Reads a unit file back the way systemd does, so tests can check that what orch
/// writes is what systemd runs: systemd.syntax(7) for lines, sections, comments
/// and continuations; `extract_first_word` with UNQUOTE and CUNESCAPE for words;
/// systemd.unit(5) specifiers (only `%%` is accepted: orch writes no other); and
/// systemd.service(5)'s `$NAME`, `${NAME}` and `$$` in command lines.
enum SystemdUnitParser {
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ text: String) { description = text }
    }

    struct Unit {
        var settings: [(section: String, key: String, value: String)] = []
        subscript(section: String, key: String) -> [String] {
            settings.filter { $0.section == section && $0.key == key }.map(\.value)
        }
    }

    static func parse(_ text: String) throws -> Unit {
        var unit = Unit()
        var section = ""
        var pending: String?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(raw)
            if let start = pending {
                line = start + line
                pending = nil
            } else {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            }
            if line.hasSuffix("\\") {
                // A continuation: the backslash becomes a space and the next line follows.
                pending = String(line.dropLast()) + " "
                continue
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else { throw Failure("bad section line: \(trimmed)") }
                section = String(trimmed.dropFirst().dropLast())
                continue
            }
            guard let equals = trimmed.firstIndex(of: "=") else { throw Failure("missing '=': \(trimmed)") }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            unit.settings.append((section, key, value))
        }
        if pending != nil { throw Failure("file ends in a continuation") }
        return unit
    }

    /// The argv an `Exec*=` value runs, with `environment` for `$NAME` and `${NAME}`.
    static func execArguments(_ value: String, environment: [String: String]) throws -> [String] {
        var words: [String] = []
        var rest = Substring(value)
        while let word = try extractFirstWord(&rest) {
            if word.raw == ";" { throw Failure("an unquoted ';' separates commands: \(value)") }
            let text = try specifiers(word.text)
            if !word.quoted, text.hasPrefix("$"), !text.hasPrefix("$$"), !text.hasPrefix("${"),
               text.dropFirst().allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), text.count > 1 {
                // `$NAME` as a word of its own splits at whitespace.
                words += (environment[String(text.dropFirst())] ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
                continue
            }
            words.append(try variables(text, environment))
        }
        return words
    }

    /// The assignments of an `Environment=` value.
    static func environment(_ value: String) throws -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(value)
        while let word = try extractFirstWord(&rest) {
            let text = try specifiers(word.text)
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else { throw Failure("not an assignment: \(text)") }
            result[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return result
    }

    /// One word: unquoted, C escapes resolved. Nil at the end.
    static func extractFirstWord(_ rest: inout Substring) throws -> (text: String, raw: String, quoted: Bool)? {
        let separators: Set<Character> = [" ", "\t", "\n", "\r"]
        while let first = rest.first, separators.contains(first) { rest.removeFirst() }
        guard !rest.isEmpty else { return nil }
        let start = rest.startIndex
        var scalars = String.UnicodeScalarView()
        var quote: Unicode.Scalar?
        var quoted = false
        var view = rest.unicodeScalars[...]
        while let c = view.first {
            view.removeFirst()
            if c == "\\" {
                guard let next = view.first else { throw Failure("trailing backslash") }
                view.removeFirst()
                scalars.append(try unescape(next, &view))
                continue
            }
            if let open = quote {
                if c == open { quote = nil } else { scalars.append(c) }
                continue
            }
            if c == "\"" || c == "'" {
                quote = c
                quoted = true
                continue
            }
            if c == " " || c == "\t" || c == "\n" || c == "\r" { break }
            scalars.append(c)
        }
        if quote != nil { throw Failure("unbalanced quoting") }
        let consumed = String(rest.unicodeScalars[..<view.startIndex])
        rest = Substring(view)
        _ = start
        return (String(scalars), consumed.trimmingCharacters(in: .whitespaces), quoted)
    }

    /// systemd's `cunescape_one`, for the character after a backslash.
    static func unescape(_ c: Unicode.Scalar, _ view: inout Substring.UnicodeScalarView) throws -> Unicode.Scalar {
        func hex(_ count: Int) throws -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<count {
                guard let digit = view.first, let v = UInt32(String(digit), radix: 16) else { throw Failure("bad hex escape") }
                view.removeFirst()
                value = value * 16 + v
            }
            return value
        }
        switch c {
        case "a": return "\u{7}"
        case "b": return "\u{8}"
        case "f": return "\u{C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "v": return "\u{B}"
        case "\\", "\"", "'": return c
        case "s": return " "
        case "x":
            let value = try hex(2)
            guard value != 0, let scalar = Unicode.Scalar(value) else { throw Failure("\\x00 is refused") }
            return scalar
        case "u", "U":
            let value = try hex(c == "u" ? 4 : 8)
            guard value != 0, let scalar = Unicode.Scalar(value) else { throw Failure("bad unicode escape") }
            return scalar
        case "0"..."7":
            var value = c.value - 48
            for _ in 0..<2 {
                guard let digit = view.first, ("0"..."7").contains(digit) else { throw Failure("bad octal escape") }
                view.removeFirst()
                value = value * 8 + digit.value - 48
            }
            guard value != 0, let scalar = Unicode.Scalar(value) else { throw Failure("\\000 is refused") }
            return scalar
        default:
            throw Failure("unknown escape \\\(c)")
        }
    }

    static func specifiers(_ text: String) throws -> String {
        var out = ""
        var percent = false
        for c in text {
            if percent {
                guard c == "%" else { throw Failure("specifier %\(c) in \(text)") }
                out.append("%")
                percent = false
            } else if c == "%" {
                percent = true
            } else {
                out.append(c)
            }
        }
        if percent { throw Failure("lone % at the end of \(text)") }
        return out
    }

    static func variables(_ text: String, _ environment: [String: String]) throws -> String {
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            let next = text.index(after: index)
            guard c == "$", next < text.endIndex else {
                out.append(c)
                index = next
                continue
            }
            if text[next] == "$" {
                out.append("$")
                index = text.index(after: next)
            } else if text[next] == "{", let close = text[next...].firstIndex(of: "}") {
                out += environment[String(text[text.index(after: next)..<close])] ?? ""
                index = text.index(after: close)
            } else {
                out.append(c)
                index = next
            }
        }
        return out
    }
}
