import FuzzSupport
import OrchConfig
import OrchProtocol

/// libFuzzer entry: the input as one control request line, decoded as the server
/// decodes it, and its fields used as the server uses them (method, names with
/// did-you-mean, signal name, counts).
@main enum FuzzProtocol {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(FuzzDriver.bytes(data, size))
    guard let request = try? Wire.decode(Request.self, from: bytes[...]) else { return 0 }
    _ = Method(rawValue: request.method)
    let params = request.params ?? Params()
    for name in params.names ?? [] {
        _ = Suggestion.nearest(to: name, in: ["web", "worker", "db", "web.1", "web.2"])
    }
    if let signal = params.signal, let number = SignalName.number(signal) {
        precondition((1...64).contains(number))
    }
    _ = Wire.encode(request)
    return 0
}
