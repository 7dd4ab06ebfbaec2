import Foundation
import OrchSystem
import Testing

/// A raw control connection, as another local user (or a broken client) would open.
final class RawConnection {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) throws {
        fd = try Socket.connectBlocking(host: "127.0.0.1", port: port)
    }

    func send(_ text: String) {
        Descriptor.writeAll(fd, Array(text.utf8))
    }

    /// The next line orch sends, nil once it has closed the connection.
    func readLine() -> String? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                defer { buffer.removeSubrange(...newline) }
                return String(decoding: buffer[..<newline], as: UTF8.self)
            }
            guard case let .bytes(n)? = try? Descriptor.read(fd, into: &chunk) else { return nil }
            buffer.append(contentsOf: chunk[..<n])
        }
    }

    /// True once orch has closed its end (checked without blocking).
    var closedByPeer: Bool {
        try? Descriptor.setNonBlocking(fd, true)
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            switch try? Descriptor.read(fd, into: &chunk) {
            case .bytes?: continue
            case .wouldBlock?: return false
            case .endOfFile?, nil: return true
            }
        }
    }

    func close() { Descriptor.close(fd) }
}

extension Stack {
    /// The port and token from the state file.
    func endpoint() throws -> (port: UInt16, token: String) {
        let dir = project.path + "/run/orch"
        let name = try #require((try? FileManager.default.contentsOfDirectory(atPath: dir))?.first { $0.hasSuffix(".json") })
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
        let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (UInt16(try #require(object["port"] as? Int)), try #require(object["token"] as? String))
    }
}

/// CPU seconds (user + system) a process has used, from /proc/PID/stat.
func cpuSeconds(_ pid: Int32) -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return nil }
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

extension EndToEnd {
    /// The control port under hostile local users.
    @Suite("The control port under hostile local users", .serialized)
    struct ControlHardeningTests {
        @Test("Idle connections never lock the owner out, and are closed after about 2 s")
        func idleConnectionsDoNotLockOut() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", "web: exec sleep 1000\n")
            try stack.up(["up"], started: ["web"])
            let port = try stack.endpoint().port
            let idle = try (0..<80).map { _ in try RawConnection(port: port) }
            defer { idle.forEach { $0.close() } }
            let ps = try stack.ctl(["ps"])
            #expect(ps.code == 0, "the owner was refused: \(ps.err)")
            #expect(eventually(timeout: 20) { idle.allSatisfy(\.closedByPeer) }, "idle connections were not closed")
        }

        @Test("At the descriptor limit orch pauses accepting, says so once, and does not spin")
        func descriptorLimit() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", (1...8).map { "p\($0): exec sleep 1000" }.joined(separator: "\n") + "\n")
            let orch = try stack.start("/bin/sh", ["-c", "ulimit -n 32; exec \(orchBinary()) up"])
            #expect(eventually(timeout: 30) { orch.stdout.contains("p8 started") && stack.stateFileExists }, "\(orch.stdout)\(orch.stderr)")
            let port = try stack.endpoint().port
            let flood = try (0..<40).map { _ in try RawConnection(port: port) }
            #expect(eventually(timeout: 20) { orch.stdout.contains("control port: cannot accept connections") }, "\(orch.stdout)")
            let before = try #require(cpuSeconds(orch.pid))
            let window = Date()
            _ = eventually(timeout: 1.5) { false }  // a measurement window, not a synchronisation
            let used = try #require(cpuSeconds(orch.pid)) - before
            let elapsed = Date().timeIntervalSince(window)
            #expect(used < elapsed * 0.25, "orch used \(used)s of CPU in \(elapsed)s while out of descriptors")
            flood.forEach { $0.close() }
            #expect(eventually(timeout: 20) { orch.stdout.contains("control port: accepting connections again") }, "\(orch.stdout)")
            let ps = try stack.ctl(["ps"])
            #expect(ps.code == 0, "\(ps.err)")
            #expect(orch.stdout.components(separatedBy: "cannot accept connections").count == 2, "said more than once: \(orch.stdout)")
            orch.signal(SIGINT)
            #expect(exitCode(of: orch, timeout: 20) == 0)
        }

        @Test("A huge unknown name is refused at once; suggestions stay cheap")
        func longNamesAreBounded() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", "web: exec sleep 1000\n")
            try stack.up(["up"], started: ["web"])
            let (port, token) = try stack.endpoint()
            let client = try RawConnection(port: port)
            defer { client.close() }
            client.send("{\"id\":1,\"method\":\"auth\",\"params\":{\"token\":\"\(token)\"}}\n")
            #expect(client.readLine()?.contains("\"result\"") == true)
            let asked = Date()
            client.send("{\"id\":2,\"method\":\"restart\",\"params\":{\"names\":[\"\(String(repeating: "x", count: 1_000_000))\"]}}\n")
            let answer = try #require(client.readLine())
            let refused = answer.contains("names are at most 256")
            #expect(refused, "\(answer.prefix(300))")
            #expect(Date().timeIntervalSince(asked) < 5)
            let typo = try stack.ctl(["restart", "wbe"])
            #expect(typo.err.contains("did you mean 'web'"), "\(typo.err)")
        }
    }
}
