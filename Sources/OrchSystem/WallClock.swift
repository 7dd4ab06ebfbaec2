import Glibc

/// Wall-clock time for log prefixes.
public enum WallClock {
    /// `HH:MM:SS.mmm` in local time.
    public static func localTime() -> String {
        let now = Clock.realtimeNanoseconds()
        var seconds = time_t(now / 1_000_000_000)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return two(parts.tm_hour) + ":" + two(parts.tm_min) + ":" + two(parts.tm_sec) + "." + three(Int32(now / 1_000_000 % 1000))
    }

    /// `2026-11-27T10:00:00.123Z`.
    public static func iso8601() -> String {
        let now = Clock.realtimeNanoseconds()
        var seconds = time_t(now / 1_000_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(parts.tm_year + 1900) + "-" + two(parts.tm_mon + 1) + "-" + two(parts.tm_mday) + "T"
            + two(parts.tm_hour) + ":" + two(parts.tm_min) + ":" + two(parts.tm_sec) + "." + three(Int32(now / 1_000_000 % 1000)) + "Z"
    }

    private static func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private static func three(_ value: Int32) -> String { value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)" }
}
