import Foundation
import OrchSystem
import Testing

extension EndToEnd {
    /// Streams, pipelined requests and big answers must never cost the other clients theirs.
    @Suite("Heavy clients do not stall the control port", .serialized)
    struct ControlFairnessTests {
        @Test("status is answered promptly while clients that never read follow a process writing 30 MB")
        func nonReadingFollowersDoNotStall() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", """
                web: exec sleep 1000
                spam: yes spamspamspamspamspamspamspamspamspamspam | head -c 30000000; exec sleep 1000

                """)
            let orch = try stack.up(["up", "web"], started: ["web"])
            let (port, token) = try stack.endpoint()
            let auth = "{\"id\":0,\"method\":\"auth\",\"params\":{\"token\":\"\(token)\"}}\n"
            let followers = try (0..<10).map { _ in try RawConnection(port: port) }
            defer { followers.forEach { $0.close() } }
            for follower in followers {
                follower.send(auth + "{\"id\":1,\"method\":\"logs\",\"params\":{\"follow\":true}}\n")
            }
            let client = try RawConnection(port: port)
            defer { client.close() }
            client.send(auth)
            #expect(client.readLine()?.contains("\"result\"") == true)
            client.send("{\"id\":1,\"method\":\"start\",\"params\":{\"names\":[\"spam\"]}}\n")
            #expect(client.readLine()?.contains("\"result\"") == true)
            var worst = 0.0
            let began = Date()
            var id = 1
            while Date().timeIntervalSince(began) < 8 {
                id += 1
                let asked = Date()
                client.send("{\"id\":\(id),\"method\":\"status\"}\n")
                let answer = client.readLine() ?? ""
                #expect(answer.contains("\"id\":\(id)"), "\(answer.prefix(200))")
                worst = max(worst, Date().timeIntervalSince(asked))
            }
            // Encoding each note per follower and writing it per line made one answer wait 6-12 s.
            #expect(worst < 4, "a status request waited \(worst) s behind the followers")
            #expect(isAlive(orch.pid))
        }

        @Test("Thousands of pipelined reloads on one connection do not keep another client waiting")
        func pipelinedRequestsTakeTurns() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("orch.yaml", "processes:\n" + (1...50).map { "  p\($0): {command: exec sleep 1000, replicas: 0}\n" }.joined()
                + "  web: exec sleep 1000\n")
            try stack.up(["up"], started: ["web"])
            let (port, token) = try stack.endpoint()
            let auth = "{\"id\":0,\"method\":\"auth\",\"params\":{\"token\":\"\(token)\"}}\n"
            let flood = try RawConnection(port: port)
            defer { flood.close() }
            let client = try RawConnection(port: port)
            defer { client.close() }
            client.send(auth)
            #expect(client.readLine()?.contains("\"result\"") == true)
            let count = 1500
            flood.send(auth + (1...count).map { "{\"id\":\($0),\"method\":\"reload\"}\n" }.joined())
            #expect(flood.readLine()?.contains("\"id\":0") == true)
            let asked = Date()
            client.send("{\"id\":1,\"method\":\"status\"}\n")
            #expect(client.readLine()?.contains("\"id\":1") == true)
            let waited = Date().timeIntervalSince(asked)
            // Before, every request already received was handled in one turn: 14 s for 2000 reloads.
            #expect(waited < 3, "status waited \(waited) s behind the reloads")
            var last = 0
            while last < count, let line = flood.readLine() {
                guard line.contains("\"id\":\(last + 1),") else { Issue.record("out of order after \(last): \(line.prefix(200))"); break }
                last += 1
            }
            #expect(last == count)
        }

        @Test("logs naming one process 1024 times answers once per instance, bounded, at once")
        func repeatedNamesAreResolvedOnce() throws {
            let stack = try Stack()
            defer { stack.cleanup() }
            try stack.project.write("Procfile", "spam: yes spamspamspamspamspamspamspam | head -c 400000; echo last-line; exec sleep 1000\n")
            let orch = try stack.up(["up"], started: ["spam"])
            #expect(eventually(timeout: 30) { orch.stdout.contains("last-line") })
            let (port, token) = try stack.endpoint()
            let client = try RawConnection(port: port)
            defer { client.close() }
            client.send("{\"id\":0,\"method\":\"auth\",\"params\":{\"token\":\"\(token)\"}}\n")
            #expect(client.readLine()?.contains("\"result\"") == true)
            let names = Array(repeating: "\"spam\"", count: 1024).joined(separator: ",")
            let asked = Date()
            client.send("{\"id\":1,\"method\":\"logs\",\"params\":{\"names\":[\(names)],\"lines\":1000000}}\n")
            let answer = try #require(client.readLine())
            // Before, the ring was copied 1024 times (256 MB): 45 s with the loop stalled, then no answer.
            #expect(Date().timeIntervalSince(asked) < 10)
            #expect(answer.contains("\"id\":1") && answer.contains("\"result\""), "\(answer.prefix(300))")
            #expect(answer.components(separatedBy: "last-line").count == 2, "the last line is not there exactly once")
            #expect(answer.utf8.count < 1 << 20, "\(answer.utf8.count) bytes")
            let stop = try stack.ctl(["stop", "spam", "spam", "spam"])
            #expect(stop.out == "stopping: spam\n", "\(stop.out)")
        }
    }
}
