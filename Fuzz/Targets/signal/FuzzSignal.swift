import FuzzSupport
import OrchConfig

/// libFuzzer entry: the input as a signal name (`stop.signal`, `orch ctl signal`).
/// A parsed signal is 1-64, and its name parses back to it.
@main enum FuzzSignal {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: FuzzDriver.bytes(data, size), as: UTF8.self)
    guard let number = SignalName.number(text) else { return 0 }
    precondition((1...64).contains(number), "out of range: \(number)")
    precondition(SignalName.number(SignalName.name(number)) == number, "name does not round-trip: \(number)")
    return 0
}
