import Foundation
import OrchProtocol
import Testing

extension EndToEnd {
    /// `orch ctl` against a silent server, a bad token file, and a state directory or
    /// state file that someone else may have planted.
    @Suite struct ControlClientFaultTests {
        /// A TCP listener on 127.0.0.1 that accepts connections and never answers.
        final class SilentServer: @unchecked Sendable {
            let fd: Int32
            let port: UInt16
            private let lock = NSLock()
            private var accepted: [Int32] = []

            init() throws {
                let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = 0
                let bound = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                try #require(bound == 0 && listen(listener, 16) == 0)
                var length = socklen_t(MemoryLayout<sockaddr_in>.size)
                _ = withUnsafeMutablePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
                }
                fd = listener
                port = UInt16(bigEndian: address.sin_port)
                Thread.detachNewThread { [self] in
                    while true {
                        let client = accept(listener, nil, nil)
                        if client < 0 { return }
                        lock.lock(); accepted.append(client); lock.unlock()
                    }
                }
            }

            func close() {
                shutdown(fd, Int32(SHUT_RDWR))
                Glibc.close(fd)
                lock.lock(); accepted.forEach { _ = Glibc.close($0) }; lock.unlock()
            }
        }

        @Test func ctlGivesUpOnASilentServerWithAClearMessage() throws {
            let server = try SilentServer()
            defer { server.close() }
            let directory = try Project()
            defer { directory.cleanup() }
            let started = Date()
            let result = try runToEnd(["ctl", "ps", "--control", "127.0.0.1:\(server.port)", "--timeout", "1s"],
                                      in: directory.path, environment: ["ORCH_TOKEN": "x"])
            #expect(result.code == 1)
            #expect(result.err == "orch: orch at 127.0.0.1:\(server.port) did not answer within 1s: it may be stopped (SIGSTOP) or overloaded; raise --timeout to wait longer\n")
            #expect(Date().timeIntervalSince(started) < 15)
        }

        @Test(arguments: [
            (#"{"pid":1,"host":"127.0.0.1","port":70000,"token":"a","project":"/x"}"#, "port 70000 is not a port (1-65535)"),
            (#"{"pid":1,"host":"127.0.0.1","port":-1,"token":"a","project":"/x"}"#, "port -1 is not a port (1-65535)"),
            (#"{"pid":1,"host":"127.0.0.1","port":99999999999999999999999,"token":"a","project":"/x"}"#, "is not a state file of orch"),
            ("garbage", "is not a state file of orch"),
        ])
        func aBadTokenFileIsAClearErrorNotATrap(content: String, message: String) throws {
            let directory = try Project(["token.json": content])
            defer { directory.cleanup() }
            let result = try runToEnd(["ctl", "ps", "--token-file", "token.json"], in: directory.path)
            #expect(result.code == 1, "\(result.err)")
            #expect(result.err.hasPrefix("orch: token.json") && result.err.contains(message), "\(result.err)")
        }

        enum Plant: String, CaseIterable, Sendable {
            case directoryWritableByOthers, stateFileOfAnotherUser, stateFileWritableByOthers
        }

        /// `orch up` and `orch ctl` both refuse a state directory or file that someone
        /// else could have written, and say what to do.
        @Test(arguments: Plant.allCases)
        func aPlantedStateIsRefusedByServerAndClient(plant: Plant) throws {
            if plant == .stateFileOfAnotherUser && getuid() != 0 { return }  // chown needs root
            let project = try Project(["Procfile": "web: echo $$ > web.pid; exec sleep 1000\n"])
            defer {
                for pid in project.recordedPids() where isAlive(pid) { kill(pid, SIGKILL) }
                project.cleanup()
            }
            let stateDirectory = project.path + "/run/orch"
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            let stateFile = stateDirectory + "/" + StateFileFormat.fileName(forProject: project.path)
            // The attacker's file points at a live orch-looking pid: ours.
            let planted = #"{"pid":\#(getpid()),"host":"127.0.0.1","port":1,"token":"stolen","project":"\#(project.path)"}"#
            switch plant {
            case .directoryWritableByOthers:
                #expect(chmod(stateDirectory, 0o777) == 0)
            case .stateFileOfAnotherUser:
                try planted.write(toFile: stateFile, atomically: false, encoding: .utf8)
                #expect(chmod(stateFile, 0o600) == 0 && chown(stateFile, 65534, 65534) == 0)
            case .stateFileWritableByOthers:
                try planted.write(toFile: stateFile, atomically: false, encoding: .utf8)
                #expect(chmod(stateFile, 0o666) == 0)
            }
            let expected: String
            switch plant {
            case .directoryWritableByOthers: expected = "the state directory \(stateDirectory) can be written by others (mode 777)"
            case .stateFileOfAnotherUser: expected = "the state file \(stateFile) belongs to uid 65534, not to you (uid \(getuid()))"
            case .stateFileWritableByOthers: expected = "the state file \(stateFile) can be written by others (mode 666)"
            }
            let environment = ["XDG_RUNTIME_DIR": project.path + "/run"]
            let up = try runToEnd(["up"], in: project.path, environment: environment)
            #expect(up.code == 2, "\(up.out)\(up.err)")
            #expect(up.err.contains(expected) && up.err.contains("remove it"), "\(up.err)")
            #expect(project.read("web.pid") == nil, "nothing started")
            let ctl = try runToEnd(["ctl", "ps"], in: project.path, environment: environment)
            #expect(ctl.code == 1)
            #expect(ctl.err.hasPrefix("orch: " + expected) && ctl.err.contains("remove it"), "\(ctl.err)")
        }

        /// A state file whose pid is not an orch (here: `sleep`) is stale, not trusted.
        @Test func aStateFileNamingAProcessThatIsNotOrchIsStale() throws {
            let project = try Project(["Procfile": "web: exec sleep 1000\n"])
            defer { project.cleanup() }
            let sleeper = Process()
            sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
            sleeper.arguments = ["1000"]
            try sleeper.run()
            defer {
                kill(sleeper.processIdentifier, SIGKILL)
                sleeper.waitUntilExit()
            }
            let stateDirectory = project.path + "/run/orch"
            try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
            #expect(chmod(stateDirectory, 0o700) == 0)
            let stateFile = stateDirectory + "/" + StateFileFormat.fileName(forProject: project.path)
            try #"{"pid":\#(sleeper.processIdentifier),"host":"127.0.0.1","port":1,"token":"t","project":"\#(project.path)"}"#
                .write(toFile: stateFile, atomically: false, encoding: .utf8)
            #expect(chmod(stateFile, 0o600) == 0)
            let ctl = try runToEnd(["ctl", "ps"], in: project.path, environment: ["XDG_RUNTIME_DIR": project.path + "/run"])
            #expect(ctl.code == 1)
            #expect(ctl.err.contains("removed a stale state file of pid \(sleeper.processIdentifier)"), "\(ctl.err)")
            #expect(!FileManager.default.fileExists(atPath: stateFile))
        }
    }
}

extension EndToEnd {
    /// A Unix-domain listener that never accepts, its backlog full: connecting would
    /// block for ever without a timeout.
    @Suite struct UnixControlTimeoutTests {
        @Test func ctlGivesUpOnAUnixSocketWhoseBacklogIsFull() throws {
            let directory = try Project()
            defer { directory.cleanup() }
            let path = directory.path + "/orch.sock"
            let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(listener) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            try #require(bound == 0 && listen(listener, 0) == 0)
            // Fill the backlog (0 lets one connection wait) with non-blocking connects.
            var fillers: [Int32] = []
            defer { fillers.forEach { _ = close($0) } }
            for _ in 0..<4 {
                let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                let rc = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
                }
                fillers.append(fd)
                if rc != 0 { break }  // EAGAIN: the backlog is full
            }
            let started = Date()
            let result = try runToEnd(["ctl", "ps", "--control", "unix:" + path, "--timeout", "1s"],
                                      in: directory.path, environment: ["ORCH_TOKEN": "x"])
            #expect(result.code == 1)
            #expect(result.err == "orch: cannot reach orch at unix:\(path): no answer within 1s (raise --timeout to wait longer)\n")
            #expect(Date().timeIntervalSince(started) < 15)
        }
    }
}
