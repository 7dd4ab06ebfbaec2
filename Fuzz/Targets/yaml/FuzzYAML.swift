import FuzzSupport
import OrchConfig

/// libFuzzer entry: the input as orch.yaml, loaded as `orch check` loads it (the
/// YAML reader, env files, interpolation, ports, dependencies, validation).
/// Any error is fine; a trap, a hang or a runaway allocation is a finding.
@main enum FuzzYAML {
    static func main() { FuzzDriver.run(fuzz) }
}

func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzInput.load(as: "orch.yaml", FuzzDriver.bytes(data, size))
    return 0
}
