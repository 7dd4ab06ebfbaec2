import Glibc

/// orch's own process environment and working directory.
public enum ProcessEnvironment {
    /// `environ(7)` as a dictionary.
    public static func current() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            // On the UTF-8 view: `=` is ASCII, and a search over Characters runs
            // grapheme breaking over every variable (and would miss an `=` that a
            // combining mark follows).
            if let equals = text.utf8.firstIndex(of: UInt8(ascii: "=")) {
                result[String(text[..<equals])] = String(text[text.utf8.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }

    /// One variable, without building the whole environment (`getenv(3)`).
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// Ends orch with `code` (`exit(3)`: C's buffered output is flushed first).
    public static func exit(_ code: Int32) -> Never {
        Glibc.exit(code)
    }

    /// `getcwd(3)`.
    public static func workingDirectory() -> String {
        guard let pointer = getcwd(nil, 0) else { return "." }
        defer { free(pointer) }
        return String(cString: pointer)
    }
}
