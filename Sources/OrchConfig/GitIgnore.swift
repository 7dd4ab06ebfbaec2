/// git's ignore rules (`gitignore(5)`), as data: the patterns of `.git/info/exclude`
/// and of every `.gitignore` on the way down to a path, in the order git gives them
/// precedence, and the matcher git uses for them (`wildmatch` with `WM_PATHNAME`,
/// ported from git's `wildmatch.c`). Pure: the file watcher reads the files and
/// hands their text in.
///
/// Precedence: later patterns win, and a deeper `.gitignore` comes after a higher
/// one, after `.git/info/exclude`; so adding the files top-down and taking the last
/// matching pattern is git's rule. A path under an ignored directory is ignored
/// whatever a later `!` says (git does not look into ignored directories).
public struct GitIgnore: Sendable, Equatable {
    public struct Pattern: Sendable, Equatable {
        /// The pattern as matched: leading `!`, trailing `/` and unescaped trailing
        /// spaces removed; backslash escapes are kept for the matcher.
        public var text: [UInt8]
        /// `!pattern`: re-includes what an earlier pattern ignored.
        public var negated: Bool
        /// `pattern/`: matches directories only.
        public var directoryOnly: Bool
        /// No `/` but a trailing one: matches the last path component at any depth.
        public var basenameOnly: Bool
        /// Directory of the file the pattern came from, relative to the root ("" = root).
        public var base: String
        /// Where the pattern was written, for messages: `app/.gitignore:3`.
        public var source: String
    }

    /// Longer patterns are skipped: no path on Linux is longer (PATH_MAX), and the
    /// matcher's recursion is bounded by the pattern's length.
    public static let maximumPatternLength = 4096

    public private(set) var patterns: [Pattern] = []

    public init() {}

    /// Adds the patterns of one ignore file whose directory is `base` (relative to
    /// the root, "" for the root itself; `.git/info/exclude` has base "").
    public mutating func add(_ text: String, base: String, source: String) {
        var lineNumber = 0
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if let pattern = GitIgnore.parse(Array(line), base: base, source: "\(source):\(lineNumber)") {
                patterns.append(pattern)
            }
        }
    }

    /// One line of an ignore file, or nil for a blank line, a comment or an over-long pattern.
    static func parse(_ line: [UInt8], base: String, source: String) -> Pattern? {
        var text = trimmingTrailingSpaces(line)
        guard !text.isEmpty, text[0] != UInt8(ascii: "#"), text.count <= maximumPatternLength else { return nil }
        var negated = false
        if text[0] == UInt8(ascii: "!") {
            negated = true
            text.removeFirst()
        }
        var directoryOnly = false
        if text.last == UInt8(ascii: "/") {
            directoryOnly = true
            text.removeLast()
        }
        guard !text.isEmpty else { return nil }
        let basenameOnly = !text.contains(UInt8(ascii: "/"))
        if text[0] == UInt8(ascii: "/") { text.removeFirst() }
        return Pattern(text: text, negated: negated, directoryOnly: directoryOnly, basenameOnly: basenameOnly, base: base, source: source)
    }

    /// Trailing spaces go unless escaped with a backslash (git's `trim_trailing_spaces`).
    static func trimmingTrailingSpaces(_ line: [UInt8]) -> [UInt8] {
        var lastSpace: Int?
        var i = 0
        while i < line.count {
            switch line[i] {
            case UInt8(ascii: " "):
                if lastSpace == nil { lastSpace = i }
            case UInt8(ascii: "\\"):
                i += 1
                if i == line.count { return line }
                lastSpace = nil
            default:
                lastSpace = nil
            }
            i += 1
        }
        return lastSpace.map { Array(line[..<$0]) } ?? line
    }

    /// The last pattern that matches `path` itself (relative to the root, no leading
    /// `/`), its parent directories not considered.
    public func match(_ path: String, isDirectory: Bool) -> Pattern? {
        let bytes = Array(path.utf8)
        let nameStart = (bytes.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 }) ?? 0
        for pattern in patterns.reversed() {
            if pattern.directoryOnly && !isDirectory { continue }
            let baseBytes = Array(pattern.base.utf8)
            var relativeStart = 0
            if !baseBytes.isEmpty {
                guard bytes.count > baseBytes.count, bytes.starts(with: baseBytes), bytes[baseBytes.count] == UInt8(ascii: "/") else { continue }
                relativeStart = baseBytes.count + 1
            }
            let subject = pattern.basenameOnly ? bytes[max(nameStart, relativeStart)...] : bytes[relativeStart...]
            if Wildmatch.matches(pattern.text[...], subject, pathname: true) { return pattern }
        }
        return nil
    }

    /// Whether git ignores `path`: the last matching pattern is not a `!`, or one of
    /// its parent directories is ignored.
    public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.isEmpty else { return false }
        var prefix = ""
        for (i, component) in components.enumerated() {
            prefix += (i == 0 ? "" : "/") + component
            let last = i == components.count - 1
            if let pattern = match(prefix, isDirectory: last ? isDirectory : true), !pattern.negated { return true }
        }
        return false
    }
}

/// git's `wildmatch` (wildmatch.c): `*` and `?` stop at `/` in pathname mode, `**`
/// between slashes spans directories, `[...]` with ranges, `!`/`^` negation and
/// `[:class:]`, `\` escapes. The abort codes keep it from backtracking without end.
public enum Wildmatch {
    private enum Outcome { case match, noMatch, abortAll, abortToStarStar }

    public static func matches(_ pattern: String, _ text: String, pathname: Bool = true) -> Bool {
        let p = Array(pattern.utf8), t = Array(text.utf8)
        return matches(p[...], t[...], pathname: pathname)
    }

    static func matches(_ pattern: ArraySlice<UInt8>, _ text: ArraySlice<UInt8>, pathname: Bool) -> Bool {
        // Null-terminated copies, as the C code walks them.
        let p = Array(pattern) + [0], t = Array(text) + [0]
        return match(p, 0, t, 0, pathname) == .match
    }

    private static let slash = UInt8(ascii: "/")

    private static func isGlobSpecial(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "*") || c == UInt8(ascii: "?") || c == UInt8(ascii: "[") || c == UInt8(ascii: "\\")
    }

    private static func match(_ p: [UInt8], _ start: Int, _ t: [UInt8], _ textStart: Int, _ pathname: Bool) -> Outcome {
        var pi = start, ti = textStart
        while p[pi] != 0 {
            var pc = p[pi]
            let tc = t[ti]
            if tc == 0 && pc != UInt8(ascii: "*") { return .abortAll }
            switch pc {
            case UInt8(ascii: "?"):
                if pathname && tc == slash { return .noMatch }
            case UInt8(ascii: "*"):
                var matchSlash: Bool
                pi += 1
                if p[pi] == UInt8(ascii: "*") {
                    let before = pi - 2
                    while p[pi] == UInt8(ascii: "*") { pi += 1 }
                    if (before < start || p[before] == slash)
                        && (p[pi] == 0 || p[pi] == slash || (p[pi] == UInt8(ascii: "\\") && p[pi + 1] == slash)) {
                        if p[pi] == slash && match(p, pi + 1, t, ti, pathname) == .match { return .match }
                        matchSlash = true
                    } else {
                        matchSlash = !pathname
                    }
                } else {
                    matchSlash = !pathname
                }
                if p[pi] == 0 {
                    if !matchSlash && t[ti...].contains(slash) { return .noMatch }
                    return .match
                } else if !matchSlash && p[pi] == slash {
                    guard let next = t[ti...].firstIndex(of: slash) else { return .noMatch }
                    ti = next
                    // The slash itself is consumed below, with the pattern's.
                    break
                }
                var tcc = t[ti]
                while true {
                    if tcc == 0 { break }
                    if !isGlobSpecial(p[pi]) {
                        let literal = p[pi]
                        while t[ti] != 0 && (matchSlash || t[ti] != slash) {
                            if t[ti] == literal { break }
                            ti += 1
                        }
                        tcc = t[ti]
                        if tcc != literal { return matchSlash ? .abortAll : .abortToStarStar }
                    }
                    let outcome = match(p, pi, t, ti, pathname)
                    if outcome != .noMatch {
                        if !matchSlash || outcome != .abortToStarStar { return outcome }
                    } else if !matchSlash && tcc == slash {
                        return .abortToStarStar
                    }
                    ti += 1
                    tcc = t[ti]
                }
                return .abortAll
            case UInt8(ascii: "["):
                pi += 1
                pc = p[pi]
                var negated = false
                if pc == UInt8(ascii: "!") || pc == UInt8(ascii: "^") {
                    negated = true
                    pi += 1
                    pc = p[pi]
                }
                var previous: UInt8 = 0
                var matched = false
                repeat {
                    if pc == 0 { return .abortAll }
                    if pc == UInt8(ascii: "\\") {
                        pi += 1
                        pc = p[pi]
                        if pc == 0 { return .abortAll }
                        if tc == pc { matched = true }
                    } else if pc == UInt8(ascii: "-") && previous != 0 && p[pi + 1] != 0 && p[pi + 1] != UInt8(ascii: "]") {
                        pi += 1
                        pc = p[pi]
                        if pc == UInt8(ascii: "\\") {
                            pi += 1
                            pc = p[pi]
                            if pc == 0 { return .abortAll }
                        }
                        if tc <= pc && tc >= previous { matched = true }
                        pc = 0
                    } else if pc == UInt8(ascii: "[") && p[pi + 1] == UInt8(ascii: ":") {
                        let classStart = pi + 2
                        var end = classStart
                        while p[end] != 0 && p[end] != UInt8(ascii: "]") { end += 1 }
                        if p[end] == 0 { return .abortAll }
                        if end - classStart - 1 < 0 || p[end - 1] != UInt8(ascii: ":") {
                            // No ":]": a plain '[' in the set.
                            pc = UInt8(ascii: "[")
                            if tc == pc { matched = true }
                        } else {
                            let name = String(decoding: p[classStart..<(end - 1)], as: UTF8.self)
                            guard let member = characterClass(name) else { return .abortAll }
                            if member(tc) { matched = true }
                            pi = end
                            pc = 0
                        }
                    } else if tc == pc {
                        matched = true
                    }
                    previous = pc
                    pi += 1
                    pc = p[pi]
                } while pc != UInt8(ascii: "]")
                if matched == negated || (pathname && tc == slash) { return .noMatch }
            case UInt8(ascii: "\\"):
                pi += 1
                pc = p[pi]
                if tc != pc { return .noMatch }
            default:
                if tc != pc { return .noMatch }
            }
            pi += 1
            ti += 1
        }
        return t[ti] == 0 ? .match : .noMatch
    }

    private static func characterClass(_ name: String) -> ((UInt8) -> Bool)? {
        let upper = { (c: UInt8) in c >= 65 && c <= 90 }
        let lower = { (c: UInt8) in c >= 97 && c <= 122 }
        let digit = { (c: UInt8) in c >= 48 && c <= 57 }
        let space = { (c: UInt8) in c == 32 || (c >= 9 && c <= 13) }
        let graph = { (c: UInt8) in c > 32 && c < 127 }
        switch name {
        case "alnum": return { upper($0) || lower($0) || digit($0) }
        case "alpha": return { upper($0) || lower($0) }
        case "blank": return { $0 == 32 || $0 == 9 }
        case "cntrl": return { $0 < 32 || $0 == 127 }
        case "digit": return digit
        case "graph": return graph
        case "lower": return lower
        case "print": return { $0 >= 32 && $0 < 127 }
        case "punct": return { graph($0) && !(upper($0) || lower($0) || digit($0)) }
        case "space": return space
        case "upper": return upper
        case "xdigit": return { digit($0) || ($0 >= 65 && $0 <= 70) || ($0 >= 97 && $0 <= 102) }
        default: return nil
        }
    }
}
