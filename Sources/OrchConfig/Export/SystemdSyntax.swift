/// How values are written into a systemd unit file so that systemd reads back
/// exactly the text orch means (systemd.syntax(7), systemd.service(7) "Command
/// lines", systemd.unit(5) "Specifiers").
///
/// systemd reads a setting in up to three passes, and each needs its own escape:
/// - specifiers: `%x` is replaced in most values, so a literal `%` is `%%`;
/// - in `Exec*=` and `Environment=`, words are split at unquoted whitespace,
///   quotes removed and C escapes (`\"`, `\\`, `\n`, `\xNN`) resolved;
/// - in `Exec*=` only, `$NAME` and `${NAME}` are replaced from the unit's
///   environment, so a literal `$` is `$$`.
/// A unit file is line based: a newline inside a value can only be written as the
/// C escape `\n` inside quotes.
public enum SystemdSyntax {
    /// One `Exec*=` argument as a double-quoted word: after systemd's unquoting,
    /// specifier and variable expansion, the program gets `text` unchanged.
    public static func execArgument(_ text: String) -> String {
        quoted(text, dollar: true)
    }

    /// One `Environment=` assignment, `"KEY=value"`, quoted.
    public static func environmentAssignment(key: String, value: String) -> String {
        quoted("\(key)=\(value)", dollar: false)
    }

    /// A value systemd takes verbatim apart from specifiers (`Description=`,
    /// `WorkingDirectory=`); nil when it cannot be written on one line or would lose
    /// leading or trailing whitespace.
    public static func plainValue(_ text: String) -> String? {
        guard text.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) else { return nil }
        guard text.first != " ", text.last != " " else { return nil }
        // A line ending in a backslash continues on the next one.
        guard text.last != "\\" else { return nil }
        return text.replacingPercent()
    }

    /// Whether `value` can be an environment variable's value in a unit: valid
    /// UTF-8 (Swift strings are) with no control character but tab and newline
    /// (systemd's `env_value_is_valid`).
    public static func isValidEnvironmentValue(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { $0 == "\t" || $0 == "\n" || ($0.value >= 0x20 && $0.value != 0x7F) }
    }

    /// Whether `key` can be an environment variable's name in a unit: not empty,
    /// no `=`, printable ASCII (systemd's `env_name_is_valid`).
    public static func isValidEnvironmentName(_ key: String) -> Bool {
        !key.isEmpty && key.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "=" }
    }

    /// A duration as a systemd time span (systemd.time(7)): `5s`, `250ms`, `10us`.
    public static func timeSpan(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || attoseconds < 0 { return "0" }
        let micro = attoseconds / 1_000_000_000_000
        if micro == 0 { return "\(seconds)s" }
        let (unit, scale, fraction) = micro % 1000 == 0 ? ("ms", Int64(1000), micro / 1000) : ("us", Int64(1_000_000), micro)
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: scale)
        let (total, overflowSum) = whole.addingReportingOverflow(fraction)
        return overflow || overflowSum ? "\(seconds)s" : "\(total)\(unit)"
    }

    /// A duration in seconds for sleep(1) and timeout(1): `0.25`, `5`.
    public static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if seconds < 0 || attoseconds < 0 { return "0" }
        let millis = attoseconds / 1_000_000_000_000_000
        if millis == 0 { return "\(seconds)" }
        var fraction = String(millis)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.last == "0" { fraction.removeLast() }
        return "\(seconds).\(fraction)"
    }

    /// `text` as one word for sh(1): single-quoted, a `'` written as `'\''`.
    public static func shellWord(_ text: String) -> String {
        if !text.isEmpty, text.unicodeScalars.allSatisfy({ isShellSafe($0) }) { return text }
        return "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    private static func isShellSafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ":", ",", "+", "=", "@": return true
        default: return false
        }
    }

    private static func quoted(_ text: String, dollar: Bool) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "%": out += "%%"
            case "$" where dollar: out += "$$"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" : "") + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension String {
    fileprivate func replacingPercent() -> String {
        var out = ""
        for character in self { out += character == "%" ? "%%" : String(character) }
        return out
    }
}
