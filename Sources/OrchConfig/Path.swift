/// Lexical path handling: no symlinks resolved, no file system touched. The one
/// place orch turns paths into what it shows (config files, watched files).
public enum Path {
    public static func absolute(_ path: String, relativeTo base: String) -> String {
        if path == "." || path.isEmpty { return normalize(base) }
        return normalize(path.hasPrefix("/") ? path : join(base, path))
    }

    public static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Collapses `.`, `..` and repeated slashes; `..` above the root stays at the root.
    public static func normalize(_ path: String) -> String {
        if isNormal(path) { return path }
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Whether `normalize` would return `path` as it is: absolute, no empty, `.`
    /// or `..` component, no trailing slash (one pass over the bytes, no copy).
    static func isNormal(_ path: String) -> Bool {
        let slash = UInt8(ascii: "/"), dot = UInt8(ascii: ".")
        var bytes = path.utf8.makeIterator()
        guard bytes.next() == slash else { return false }
        var length = 0
        var dots = 0
        var any = false
        while let byte = bytes.next() {
            any = true
            if byte == slash {
                if length == 0 || (dots == length && dots <= 2) { return false }
                length = 0
                dots = 0
            } else {
                length += 1
                if byte == dot { dots += 1 }
            }
        }
        return !any || !(length == 0 || (dots == length && dots <= 2))
    }

    public static func directory(of path: String) -> String {
        let normalized = normalize(path)
        guard let slash = normalized.lastIndex(of: "/"), slash != normalized.startIndex else { return "/" }
        return String(normalized[..<slash])
    }

    static func expandingTilde(_ path: String, home: String?) -> String {
        guard let home, !home.isEmpty else { return path }
        if path == "~" { return home }
        if path.hasPrefix("~/") { return join(home, String(path.dropFirst(2))) }
        return path
    }

    /// `path` relative to `directory` when it lies beneath it (`.` for the directory
    /// itself), else as it is: how a path is shown to the user.
    public static func display(_ path: String, from directory: String) -> String {
        if path == directory { return "." }
        let prefix = directory == "/" ? "/" : directory + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
