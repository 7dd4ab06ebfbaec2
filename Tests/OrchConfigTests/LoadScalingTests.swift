import Foundation
import Testing
@testable import OrchConfig

/// Loading is linear in the config: a 10 MB orch.yaml of 60 000 processes loads in
/// well under a second (release build). These tests keep it so without timing
/// anything absolutely: the loader is timed on N and on 4N processes in the same
/// test, and 4N must not cost anywhere near 16 times N.
@Suite final class LoadScalingTests: ConfigTestCase {
    /// The processes of `Benchmarks/bigconfig.py`, in small: half merge a `<<`
    /// default, a third have an `env` map (one value uses `$PORT`), every fifth
    /// depends on another process (earlier or later), some have a probe, replicas,
    /// a cwd, an env_file.
    static func yaml(processes count: Int) -> String {
        var text = """
            x-defaults: &defaults
              kind: service
              restart: always
              stop: {signal: TERM, timeout: 5s}
            env: {APP_ENV: test, LOG_LEVEL: info}
            processes:

            """
        for index in 0..<count {
            text += "  p\(index):\n"
            if index % 2 == 0 { text += "    <<: *defaults\n" }
            text += "    command: exec ./bin/server --name p\(index) --threads 4\n"
            if index % 3 == 0 { text += "    env: {WORKER_ID: \"\(index)\", URL: \"http://127.0.0.1:$PORT/\"}\n" }
            if index % 5 == 0 && index > 0 { text += "    depends_on: {p\(index - 1): started}\n" }
            if index % 5 == 1 && index + 3 < count { text += "    depends_on: [p\(index + 3)]\n" }
            if index % 50 == 0 { text += "    ready: {log: listening}\n" }
            if index % 70 == 0 { text += "    replicas: 2\n" }
            if index % 90 == 0 { text += "    cwd: sub\n" }
            if index % 110 == 0 { text += "    env_file: shared.env\n" }
        }
        return text
    }

    static func procfile(processes count: Int) -> String {
        (0..<count).map { "p\($0): exec ./bin/server --name p\($0) --port $PORT\n" }.joined()
    }

    /// Seconds to load `count` processes, the least of `rounds` loads.
    func loadTime(_ file: String, processes count: Int) throws -> (seconds: Double, loaded: Int) {
        let yaml = file == "orch.yaml"
        try write(file, yaml ? Self.yaml(processes: count) : Self.procfile(processes: count))
        var best = Double.infinity
        var loaded = 0
        for _ in 0..<2 {
            let clock = ContinuousClock()
            let start = clock.now
            let result = try ConfigLoader.load(options(file: file, environment: ["HOME": directory]))
            let elapsed = clock.now - start
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            loaded = result.spec.processes.count
        }
        return (best, loaded)
    }

    @Test(arguments: ["orch.yaml", "Procfile"])
    func loadingIsLinear(file: String) throws {
        try write("sub/.keep", "")
        try write("shared.env", "SHARED=1\n")
        let count = 5_000
        // The smaller load first, so that its one-time costs (first allocations)
        // only make the ratio smaller; each the least of two loads.
        let small = try loadTime(file, processes: count)
        let large = try loadTime(file, processes: 4 * count)
        #expect(small.loaded == count && large.loaded == 4 * count)
        let ratio = large.seconds / small.seconds
        // Linear is 4; quadratic is 16. 12 leaves room for a busy machine.
        #expect(ratio < 12, "4 × \(count) processes took \(large.seconds) s, \(ratio) × the \(small.seconds) s of \(count)")
    }

    /// ProcessSpec shares one box between copies: writing to a copy must not
    /// change the original, and equality still compares the fields.
    @Test func processSpecCopiesAreValues() {
        var original = ProcessSpec(name: "web", command: "run", cwd: "/", environment: ["A": "1"], port: 5000)
        original.instanceEnvironment = ["URL": "http://127.0.0.1:$PORT/"]
        var copy = original
        #expect(copy == original)
        copy.environment["A"] = "2"
        copy.stop.timeout = .seconds(9)
        copy.autostart = false
        #expect(original.environment == ["A": "1"] && original.stop.timeout == .seconds(5) && original.autostart)
        #expect(copy.environment == ["A": "2"] && copy.stop.timeout == .seconds(9) && !copy.autostart)
        #expect(copy != original)
        copy.environment["A"] = "1"
        copy.stop.timeout = .seconds(5)
        copy.autostart = true
        #expect(copy == original)
        // A copy kept in an array is not changed through another.
        var list = [original, original]
        list[0].command = "other"
        #expect(list[1].command == "run" && original.command == "run" && list[0].command == "other")
    }

    @Test(arguments: [
        ("", UInt8(0), false), ("a\0b", 0, true), ("abc", 0, false), ("one\ntwo", 10, true), ("é", 0xA9, true),
        ("$PORT", UInt8(ascii: "$"), true), (String(repeating: "x", count: 1000) + "\n", 10, true),
    ])
    func containsByte(text: String, byte: UInt8, expected: Bool) {
        #expect(text.containsByte(byte) == expected)
        #expect(text[...].containsByte(byte) == expected)
    }
}
