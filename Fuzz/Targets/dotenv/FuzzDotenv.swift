import FuzzSupport
import OrchConfig

/// libFuzzer entry: the input as a `.env` file, parsed on its own and loaded beside
/// a Procfile. No warning may quote a value: the fuzzer's values all contain
/// `SECRET`, and a warning that shows one is a finding.
@main enum FuzzDotenv {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzDriver.bytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    let parsed = Dotenv.parse(text, file: ".env")
    for (key, value) in parsed.values {
        precondition(!key.isEmpty && !key.contains("="), "a key orch cannot set: \(key)")
        precondition(!value.utf8.contains(0), "a NUL byte in the value of \(key)")
    }
    FuzzInput.load(as: ".env", bytes, beside: ("Procfile", "web: x\n"))
    return 0
}
