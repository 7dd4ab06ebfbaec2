import FuzzSupport
import OrchConfig

/// libFuzzer entry: `${…}` expansion of the input, with a few variables set (one
/// empty). Expansion must never grow the text past its input plus the values it
/// inserts, and a text without `$` comes back unchanged.
@main enum FuzzInterpolation {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: FuzzDriver.bytes(data, size), as: UTF8.self)
    let environment = ["A": "alpha", "B": "", "PORT": "5000", "LONG": String(repeating: "x", count: 64)]
    let expanded = Interpolation.expand(text, environment)
    if !text.utf8.contains(UInt8(ascii: "$")) { precondition(expanded == text, "a text without $ changed") }
    // Each `$` inserts at most the longest value (64 bytes).
    let dollars = text.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "$") ? 1 : 0) }
    precondition(expanded.utf8.count <= text.utf8.count + 64 * dollars, "expansion grew past its inputs")
    return 0
}
