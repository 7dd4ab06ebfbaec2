extension Limits {
    /// Most characters of a value (from the config or the command line) that a
    /// message quotes.
    public static let quotedCharacters = 200

    /// `text` as a message quotes it: its first line, at most `quotedCharacters`
    /// characters, with `…` where it was cut, so a 1 MB value never floods the
    /// terminal. The config's messages and the command line's usage errors both
    /// quote through this.
    public static func excerpt(_ text: some StringProtocol) -> String {
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars {
            if scalar == "\n" || scalar == "\r" || count == quotedCharacters {
                out.append("…")
                break
            }
            out.append(scalar)
            count += 1
        }
        return String(out)
    }
}
