import OrchConfig
import OrchSystem

/// Runs one fuzz input through `ConfigLoader.load` as a file in a private
/// directory, as `orch check` would. The directory is made once per fuzzer process.
public enum FuzzInput {
    nonisolated(unsafe) static var directory: String?

    /// `$ORCH_FUZZ_WORK` (Fuzz/run.sh sets it inside .build/fuzz), else /tmp.
    static func workingDirectory() -> String {
        if let directory { return directory }
        let base = ProcessEnvironment.current()["ORCH_FUZZ_WORK"] ?? "/tmp"
        let path = "\(base)/orch-fuzz-\(Processes.currentPID)"
        try? Files.makePrivateDirectory(path)
        directory = path
        return path
    }

    /// Writes `bytes` as `name` (and `beside`, a second file, when given) and loads
    /// the config; errors are expected, traps are findings.
    public static func load(as name: String, _ bytes: UnsafeBufferPointer<UInt8>, beside: (name: String, text: String)? = nil) {
        let directory = workingDirectory()
        for stale in ["orch.yaml", "Procfile", ".env"] { Files.remove(directory + "/" + stale) }
        do {
            try Descriptor.writeFile(directory + "/" + name, Array(bytes))
            if let beside { try Descriptor.writeFile(directory + "/" + beside.name, Array(beside.text.utf8)) }
        } catch {
            return
        }
        let options = LoadOptions(workingDirectory: directory, environment: ["HOME": "/home/fuzz", "PATH": "/usr/bin:/bin"])
        _ = try? ConfigLoader.load(options)
    }
}
