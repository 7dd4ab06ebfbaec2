/// `${VAR}` and `$VAR` expansion for config strings other than `command`
/// (which the shell expands itself). `$$` is a literal `$`; an unset variable
/// expands to the empty string, as in sh; `${VAR:-default}` gives `default` when
/// VAR is unset or empty, and the default may itself use `${…}` (braces nest, as
/// in sh). A `$` followed by anything else, or a `${` that is never closed, is
/// kept as written.
///
/// Expansion is one pass over the text, whatever the nesting: 200 000 nested
/// `${A:-…}` cost no more than 200 000 plain characters (no recursion, no
/// rescanning; a default whose variable is set is skipped, not expanded).
public enum Interpolation {
    public static func expand(_ text: String, _ environment: [String: String]) -> String {
        expand(text) { environment[$0] }
    }

    /// The same, with variables looked up by `value`: layers of variables need
    /// not be merged into one dictionary first.
    public static func expand(_ text: String, value: (String) -> String?) -> String {
        guard text.containsByte(UInt8(ascii: "$")) else { return text }
        let scalars = Array(text.unicodeScalars)
        let closes = matchingBraces(scalars)
        // Built as UTF-8: appending to a String.UnicodeScalarView goes through its
        // generic slow path, several hundred instructions a character.
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        // Open `${VAR:-` whose closing brace is still ahead: where it is, and
        // whether the default is being skipped (VAR is set, or an outer default is skipped).
        var open: [(close: Int, skipping: Bool)] = []
        var skipping: Bool { open.last?.skipping ?? false }
        func emit(_ c: Unicode.Scalar) { if !skipping { UTF8.encode(c) { out.append($0) } } }
        func emit(_ s: String) { if !skipping { out.append(contentsOf: s.utf8) } }

        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if let top = open.last, top.close == i {
                open.removeLast()
                i += 1
                continue
            }
            guard c == "$", i + 1 < scalars.count else {
                emit(c)
                i += 1
                continue
            }
            let next = scalars[i + 1]
            if next == "$" {
                emit("$" as Unicode.Scalar)
                i += 2
            } else if next == "{", let close = closes[i] {
                // The name runs to the first character that cannot be part of it.
                var end = i + 2
                while end < close, !":${}".unicodeScalars.contains(scalars[end]) { end += 1 }
                let name = String(String.UnicodeScalarView(scalars[(i + 2)..<end]))
                if end == close {
                    emit(value(name) ?? "")
                    i = close + 1
                } else if scalars[end] == ":", end + 1 < close, scalars[end + 1] == "-" {
                    let found = value(name) ?? ""
                    emit(found)
                    open.append((close, skipping || !found.isEmpty))
                    i = end + 2
                } else {
                    // `${A:=x}`, `${A$B}`: not a form orch knows, looked up as written
                    // (as before), so usually empty; never rescanned.
                    if !skipping { emit(value(String(String.UnicodeScalarView(scalars[(i + 2)..<close]))) ?? "") }
                    i = close + 1
                }
            } else if isNameStart(next) {
                var end = i + 1
                while end < scalars.count, isName(scalars[end]) { end += 1 }
                let name = String(String.UnicodeScalarView(scalars[(i + 1)..<end]))
                emit(value(name) ?? "")
                i = end
            } else {
                emit(c)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// For each `${` (by the index of its `$`), the index of the `}` that closes it,
    /// nesting counted; nil for one never closed. Tokenized as `expand` reads:
    /// `$$` is one token, so `$${` opens nothing.
    static func matchingBraces(_ scalars: [Unicode.Scalar]) -> [Int: Int] {
        var closes: [Int: Int] = [:]
        var stack: [Int] = []
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "$", i + 1 < scalars.count, scalars[i + 1] == "$" || scalars[i + 1] == "{" {
                if scalars[i + 1] == "{" { stack.append(i) }
                i += 2
                continue
            }
            if c == "}", let opening = stack.popLast() { closes[opening] = i }
            i += 1
        }
        return closes
    }

    /// Whether `name` is a valid variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    public static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isNameStart(first) else { return false }
        return name.unicodeScalars.allSatisfy(isName)
    }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }

    static func isName(_ c: Unicode.Scalar) -> Bool {
        isNameStart(c) || ("0"..."9").contains(c)
    }
}
