/// Durations as written in orch.yaml: a number with a unit (`ms`, `s`, `m`, `h`;
/// also `us` and `ns`), fractions allowed (`1.5s`), units may be chained (`1m30s`),
/// and a bare `0`. A bare non-zero number has no unit and is rejected, since
/// `timeout: 5` could mean seconds or milliseconds.
public enum DurationParser {
    /// Longer texts are refused unread: no duration needs more (`1h59m59.999999999s` is 18).
    static let longestText = 100

    /// Built once: as a local, the table was most of the cost of a parse.
    static let units: [(suffix: String, nanoseconds: Int64)] = [
        ("ns", 1), ("us", 1_000), ("µs", 1_000), ("ms", 1_000_000),
        ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000),
    ]

    public static func parse(_ text: String) -> Duration? {
        guard text.utf8.count <= longestText * 4 else { return nil }
        let text = text.trimmingWhitespace()
        guard text.utf8.count <= longestText else { return nil }
        if text == "0" { return .zero }
        var rest = Substring(text)
        var total: Int64 = 0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { ("0"..."9").contains($0) || $0 == "." }
            guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, number != "." else { return nil }
            rest = rest.dropFirst(number.count)
            let unitText = rest.prefix { !("0"..."9").contains($0) && $0 != "." }
            guard let unit = units.first(where: { $0.suffix == unitText }) else { return nil }
            rest = rest.dropFirst(unitText.count)
            let parts = number.split(separator: ".", omittingEmptySubsequences: false)
            // Every step is checked: `9223372036.9s` or `2562047.99h` is too long,
            // not a trap.
            guard let whole = parts[0].isEmpty ? 0 : Int64(parts[0]) else { return nil }
            let product = whole.multipliedReportingOverflow(by: unit.nanoseconds)
            guard !product.overflow else { return nil }
            var nanoseconds = product.partialValue
            if parts.count == 2 {
                // The fraction, digit by digit, so 1.5s is exactly 1500ms; digits
                // below a nanosecond are checked and dropped.
                var scale = unit.nanoseconds
                for digit in parts[1] {
                    guard let value = digit.wholeNumberValue else { return nil }
                    scale /= 10
                    let sum = nanoseconds.addingReportingOverflow(Int64(value) * scale)
                    guard !sum.overflow else { return nil }
                    nanoseconds = sum.partialValue
                }
            }
            let sum = total.addingReportingOverflow(nanoseconds)
            guard !sum.overflow, sum.partialValue <= DurationParser.longest else { return nil }
            total = sum.partialValue
        }
        // Nothing orch waits for is longer than a year; beyond that the clock
        // arithmetic would overflow, so such a value is a config error.
        guard total <= DurationParser.longest else { return nil }
        return .nanoseconds(total)
    }

    /// The longest duration a config may give: 8760h (a year).
    public static let longest: Int64 = 365 * 24 * 3_600_000_000_000

    /// `250ms`, `2m`, `1500ms`: the largest whole unit that writes `duration`
    /// exactly, so the text parses back to it (for `orch check`).
    public static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let scaled = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let sum = scaled.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000)
        // Beyond ±292 years only whole seconds are shown (no config gives such a value).
        guard !scaled.overflow, !sum.overflow else { return "\(seconds)s" }
        let nanoseconds = sum.partialValue
        if nanoseconds == 0 { return "0" }
        let units: [(String, Int64)] = [("h", 3_600_000_000_000), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)]
        for (suffix, size) in units where nanoseconds % size == 0 {
            return "\(nanoseconds / size)\(suffix)"
        }
        return "\(nanoseconds)ns"
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let text = String(self)
        let scalars = text.unicodeScalars
        if let first = scalars.first, let last = scalars.last,
           !first.properties.isWhitespace, !last.properties.isWhitespace {
            return text
        }
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[start...end])
    }
}
