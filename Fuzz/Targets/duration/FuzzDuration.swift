import FuzzSupport
import OrchConfig

/// libFuzzer entry: the input as a duration (`stop.timeout`, `--timeout`). A parsed
/// duration is within a year and formats back to itself.
@main enum FuzzDuration {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: FuzzDriver.bytes(data, size), as: UTF8.self)
    guard let duration = DurationParser.parse(text) else { return 0 }
    precondition(duration >= .zero && duration <= .nanoseconds(DurationParser.longest), "out of range: \(duration)")
    precondition(DurationParser.parse(DurationParser.format(duration)) == duration, "format does not round-trip: \(duration)")
    return 0
}
