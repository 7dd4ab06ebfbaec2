extension StringProtocol {
    /// Whether `needle` occurs in this string, comparing UTF-8 bytes. Without
    /// Foundation, `contains(_: String)` is the standard library's generic
    /// substring search, which builds a search table per call: it dominated
    /// loading a config with many `env` entries.
    func containsBytes(_ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return true }
        let text = utf8
        var index = text.startIndex
        while let start = text[index...].firstIndex(of: first) {
            var candidate = start
            var matched = 0
            while matched < pattern.count, candidate < text.endIndex, text[candidate] == pattern[matched] {
                matched += 1
                candidate = text.index(after: candidate)
            }
            if matched == pattern.count { return true }
            index = text.index(after: start)
        }
        return false
    }
}

extension String {
    /// Whether the UTF-8 of this string contains `byte` (a NUL, a newline), read
    /// through a span of its bytes: `utf8.contains` steps through the view an
    /// index at a time, several times slower, which showed when every text of a
    /// 60 000-process config is checked.
    public func containsByte(_ byte: UInt8) -> Bool {
        utf8.span.containsByte(byte)
    }
}

extension Substring {
    /// `String.containsByte` for a part of a string.
    public func containsByte(_ byte: UInt8) -> Bool {
        utf8.span.containsByte(byte)
    }
}

extension Span<UInt8> {
    func containsByte(_ byte: UInt8) -> Bool {
        for index in indices where self[index] == byte { return true }
        return false
    }
}
