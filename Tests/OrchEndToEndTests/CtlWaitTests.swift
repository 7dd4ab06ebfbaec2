import Foundation
import Testing

extension EndToEnd {
    /// `orch ctl … --wait` and what `orch ctl ps` counts, as a user runs them.
    @Suite("orch ctl --wait and ps", .serialized)
    struct CtlWaitTests {
        func psRow(_ stack: Stack, _ name: String) throws -> [String: Any]? {
            let ps = try stack.ctl(["ps", "--json"])
            let json = try #require(JSONSerialization.jsonObject(with: Data(ps.out.utf8)) as? [String: Any])
            return (json["processes"] as? [[String: Any]])?.first { $0["name"] as? String == name }
        }

        @Test("restart --wait returns once the new instance is ready, and times out with exit 1")
        func restartWaitsForReadiness() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("go", "")
            try stack.project.write("orch.yaml", """
            processes:
              web:
                command: echo $$ >> web.pid; exec sleep 1000
                ready: {exec: "test -f go", interval: 50ms}
            """)
            let orch = try stack.up(["up"], started: ["web"])
            #expect(eventually(timeout: 20) { orch.stdout.contains("web is ready") })
            try FileManager.default.removeItem(atPath: stack.project.path + "/go")

            let waiting = try stack.start(orchBinary(), ["ctl", "restart", "web", "--wait"])
            #expect(eventually(timeout: 20) { orch.stdout.components(separatedBy: "web started").count == 3 }, "\(orch.stdout)")
            // Running again but not ready: --wait must still be waiting.
            #expect(waiting.process.isRunning, "restart --wait returned before web was ready: \(waiting.stdout)")
            try stack.project.write("go", "")
            #expect(exitCode(of: waiting, timeout: 20) == 0, "\(waiting.stderr)")
            #expect(try psRow(stack, "web")?["ready"] as? Bool == true)

            try FileManager.default.removeItem(atPath: stack.project.path + "/go")
            let late = try stack.ctl(["restart", "web", "--wait", "--wait-timeout", "1s"])
            #expect(late.code == 1)
            #expect(late.err.contains("timed out after 1s waiting for web"), "\(late.err)")
        }

        @Test("stop --wait returns once the group is gone; down --wait once orch has exited")
        func stopAndDownWait() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", """
            web: trap 'sleep 0.3; exit 0' TERM; echo $$ > web.pid; while true; do sleep 0.05; done
            worker: exec sleep 1000
            """)
            let orch = try stack.up(["up"], started: ["web", "worker"])
            let webPid = try #require(stack.project.read("web.pid").flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
            let stop = try stack.ctl(["stop", "web", "--wait"])
            #expect(stop.code == 0, "\(stop.err)")
            #expect(!isAlive(webPid), "stop --wait returned while web was still alive")
            #expect(try psRow(stack, "web")?["state"] as? String == "stopped")

            let down = try stack.ctl(["down", "--wait"])
            #expect(down.code == 0, "\(down.err)")
            #expect(!isAlive(orch.pid), "down --wait returned while orch was still running")
        }

        @Test("ps counts the memory of the whole process group, not just a shell leader")
        func psCountsTheWholeGroup() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", """
            web: python3 -c 'x = bytearray(b"x" * (40 << 20)); open("py.ready", "w").close(); import signal; signal.pause()'; true
            """)
            try stack.up(["up"], started: ["web"])
            #expect(eventually(timeout: 30) { stack.project.read("py.ready") != nil })
            let memory = try #require(try psRow(stack, "web")?["memoryBytes"] as? Int)
            #expect(memory >= 40 << 20, "MEM \(memory) bytes: the python child of the sh leader is not counted")
        }
    }
}
