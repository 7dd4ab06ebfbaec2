import FuzzSupport
import OrchConfig

/// libFuzzer entry: the input as a Procfile, loaded as `orch check` loads it, and
/// through the Procfile reader on its own.
@main enum FuzzProcfile {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzDriver.bytes(data, size)
    _ = try? Procfile.parse(String(decoding: bytes, as: UTF8.self), file: "Procfile")
    FuzzInput.load(as: "Procfile", bytes)
    return 0
}
