/// Signal names and numbers as on Linux x86_64 (`signal(7)`), so a config can say
/// `TERM`, `SIGTERM`, `term` or `15`. Real-time signals are `RTMIN`, `RTMIN+n`,
/// `RTMAX-n` (glibc's SIGRTMIN is 34, the kernel's two below it being reserved).
public enum SignalName {
    static let table: [(name: String, number: Int32)] = [
        ("HUP", 1), ("INT", 2), ("QUIT", 3), ("ILL", 4), ("TRAP", 5), ("ABRT", 6), ("BUS", 7),
        ("FPE", 8), ("KILL", 9), ("USR1", 10), ("SEGV", 11), ("USR2", 12), ("PIPE", 13),
        ("ALRM", 14), ("TERM", 15), ("STKFLT", 16), ("CHLD", 17), ("CONT", 18), ("STOP", 19),
        ("TSTP", 20), ("TTIN", 21), ("TTOU", 22), ("URG", 23), ("XCPU", 24), ("XFSZ", 25),
        ("VTALRM", 26), ("PROF", 27), ("WINCH", 28), ("IO", 29), ("PWR", 30), ("SYS", 31),
    ]
    static let aliases: [String: Int32] = ["IOT": 6, "CLD": 17, "POLL": 29]
    static let realtimeMinimum: Int32 = 34
    static let realtimeMaximum: Int32 = 64

    /// The names `number(_:)` accepts (without `SIG`), for did-you-mean hints.
    public static var names: [String] { table.map(\.name) + ["RTMIN", "RTMAX"] }

    /// The longest text that can name a signal (`SIGRTMIN+30` and a little room):
    /// anything longer is refused before any work is done on it.
    static let longestName = 32

    public static func number(_ name: String) -> Int32? {
        guard name.utf8.count <= longestName * 4 else { return nil }
        var text = name.trimmingWhitespace().uppercased()
        guard text.utf8.count <= longestName else { return nil }
        if let value = Int32(text) {
            return (1...realtimeMaximum).contains(value) ? value : nil
        }
        if text.hasPrefix("SIG") { text.removeFirst(3) }
        if let entry = table.first(where: { $0.name == text }) { return entry.number }
        if let alias = aliases[text] { return alias }
        return realtime(text)
    }

    public static func name(_ number: Int32) -> String {
        if let entry = table.first(where: { $0.number == number }) { return entry.name }
        if number == realtimeMinimum { return "RTMIN" }
        if number == realtimeMaximum { return "RTMAX" }
        if number > realtimeMinimum, number < realtimeMaximum { return "RTMIN+\(number - realtimeMinimum)" }
        return String(number)
    }

    /// `RTMIN`, `RTMIN+n`, `RTMAX`, `RTMAX-n` with n from 0 to 30. The offset is
    /// bounded before any arithmetic: `RTMIN+2147483647` is simply not a signal.
    private static func realtime(_ text: String) -> Int32? {
        let span = realtimeMaximum - realtimeMinimum
        for (base, sign) in [("RTMIN", Int32(1)), ("RTMAX", Int32(-1))] where text.hasPrefix(base) {
            let rest = text.dropFirst(base.count)
            let start = sign == 1 ? realtimeMinimum : realtimeMaximum
            if rest.isEmpty { return start }
            let digits = rest.dropFirst()
            guard rest.first == (sign == 1 ? "+" : "-"), !digits.isEmpty, digits.count <= 2,
                  digits.allSatisfy({ ("0"..."9").contains($0) }),
                  let offset = Int32(digits), (0...span).contains(offset)
            else { return nil }
            return sign == 1 ? start + offset : start - offset
        }
        return nil
    }
}
