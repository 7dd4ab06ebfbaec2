/// `${VAR}` and `$VAR` expansion for config strings other than `command`
/// (which the shell expands itself). `$$` is a literal `$`; an unset variable
/// expands to the empty string, as in sh; `${VAR:-default}` gives `default` when
/// VAR is unset or empty. A `$` followed by anything else, or an unterminated
/// `${`, is kept as written.
public enum Interpolation {
    public static func expand(_ text: String, _ environment: [String: String]) -> String {
        guard text.contains("$") else { return text }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            guard c == "$", i + 1 < scalars.count else {
                out.append(c)
                i += 1
                continue
            }
            let next = scalars[i + 1]
            if next == "$" {
                out.append("$")
                i += 2
            } else if next == "{", let close = scalars[(i + 2)...].firstIndex(of: "}") {
                let body = String(String.UnicodeScalarView(scalars[(i + 2)..<close]))
                out.append(contentsOf: braced(body, environment).unicodeScalars)
                i = close + 1
            } else if isNameStart(next) {
                var end = i + 1
                while end < scalars.count, isName(scalars[end]) { end += 1 }
                let name = String(String.UnicodeScalarView(scalars[(i + 1)..<end]))
                out.append(contentsOf: (environment[name] ?? "").unicodeScalars)
                i = end
            } else {
                out.append(c)
                i += 1
            }
        }
        return String(out)
    }

    /// Whether `name` is a valid variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    public static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isNameStart(first) else { return false }
        return name.unicodeScalars.allSatisfy(isName)
    }

    private static func braced(_ body: String, _ environment: [String: String]) -> String {
        if let colon = body.firstIndex(of: ":"), body[body.index(after: colon)...].hasPrefix("-") {
            let name = String(body[..<colon])
            let fallback = String(body[body.index(colon, offsetBy: 2)...])
            if let value = environment[name], !value.isEmpty { return value }
            return expand(fallback, environment)
        }
        return environment[body] ?? ""
    }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }

    static func isName(_ c: Unicode.Scalar) -> Bool {
        isNameStart(c) || ("0"..."9").contains(c)
    }
}
