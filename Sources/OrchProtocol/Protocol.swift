// No Foundation: JSONWriter writes and JSONReader reads.
import OrchLimits

/// The control protocol: newline-delimited JSON, shaped like JSON-RPC 2.0.
/// A client sends `{"id":1,"method":"status","params":{…}}` and gets
/// `{"id":1,"result":{…}}` or `{"id":1,"error":{"code":…,"message":…}}`. Streams
/// (`logs` with follow, `events`) continue with notifications that carry no id:
/// `{"method":"log","params":{…}}`. The first request must be `auth` with the token.
public enum ControlProtocol {
    /// Longest request line the server accepts.
    public static let maxLineBytes = Limits.controlRequestBytes
    public static let version = 1
}

public enum Method: String, Codable, Sendable, CaseIterable {
    /// `list` is another name for `status`.
    case auth, status, list, start, stop, restart, signal, scale, logs, events, reload, shutdown
}

public struct Params: Codable, Sendable, Equatable {
    public var token: String?
    /// Targets: `all`, a process name, or an instance name (`web.2`).
    public var names: [String]?
    public var signal: String?
    public var count: Int?
    /// `logs`: lines per instance from the ring.
    public var lines: Int?
    public var follow: Bool?

    public init(token: String? = nil, names: [String]? = nil, signal: String? = nil, count: Int? = nil, lines: Int? = nil, follow: Bool? = nil) {
        self.token = token
        self.names = names
        self.signal = signal
        self.count = count
        self.lines = lines
        self.follow = follow
    }
}

public struct Request: Codable, Sendable, Equatable {
    public var jsonrpc: String?
    public var id: Int?
    public var method: String
    public var params: Params?

    public init(id: Int, method: Method, params: Params? = nil) {
        self.jsonrpc = "2.0"
        self.id = id
        self.method = method.rawValue
        self.params = params
    }
}

public struct RPCError: Codable, Sendable, Equatable, Error {
    public var code: Int
    public var message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public static let parseError = -32700
    public static let invalidRequest = -32600
    public static let methodNotFound = -32601
    public static let invalidParams = -32602
    public static let unauthorized = -32001
    public static let unknownProcess = -32002
    public static let failed = -32003
}

/// One row of `status`.
public struct ProcessStatus: Codable, Sendable, Equatable {
    public var name: String
    public var process: String
    public var kind: String
    /// waiting, starting, running, stopping, backoff, exited, stopped, failed
    public var state: String
    public var pid: Int32?
    public var uptimeSeconds: Double?
    public var restarts: Int
    /// `exit code 1`, `signal TERM`
    public var lastExit: String?
    public var ready: Bool
    public var port: String?
    public var cpuSeconds: Double?
    public var memoryBytes: Int?

    public init(name: String, process: String, kind: String, state: String, pid: Int32?, uptimeSeconds: Double?, restarts: Int,
                lastExit: String?, ready: Bool, port: String?, cpuSeconds: Double?, memoryBytes: Int?) {
        self.name = name
        self.process = process
        self.kind = kind
        self.state = state
        self.pid = pid
        self.uptimeSeconds = uptimeSeconds
        self.restarts = restarts
        self.lastExit = lastExit
        self.ready = ready
        self.port = port
        self.cpuSeconds = cpuSeconds
        self.memoryBytes = memoryBytes
    }
}

public struct LogLine: Codable, Sendable, Equatable {
    public var process: String
    public var line: String
    public init(process: String, line: String) {
        self.process = process
        self.line = line
    }
}

/// One event of orch's, in the same shape as a `--log-format json` event line:
/// `{"ts":"2026-01-01T12:00:00.000Z","process":"orch","event":"web exited with exit code 1","kind":"exited","instance":"web"}`.
public struct EventNote: Codable, Sendable, Equatable {
    /// ISO 8601 UTC with milliseconds.
    public var ts: String
    public var process: String
    /// The text orch prints for it.
    public var event: String
    /// One word: started, exited, ready, stopping, restarting, …
    public var kind: String
    /// The instance or process it is about, if any.
    public var instance: String?
    public init(ts: String, event: String, kind: String, instance: String?) {
        self.ts = ts
        self.process = "orch"
        self.event = event
        self.kind = kind
        self.instance = instance
    }
}

public struct ReloadReport: Codable, Sendable, Equatable {
    public var restarted: [String]
    public var started: [String]
    public var stopped: [String]
    public var unchanged: [String]
    /// Only their replica count changed: `web 1→3`.
    public var scaled: [String]?
    public init(restarted: [String] = [], started: [String] = [], stopped: [String] = [], unchanged: [String] = [], scaled: [String]? = nil) {
        self.scaled = scaled
        self.restarted = restarted
        self.started = started
        self.stopped = stopped
        self.unchanged = unchanged
    }
}

/// Every result shape in one type; each method fills its own fields.
public struct ResultBody: Codable, Sendable, Equatable {
    public var ok: Bool?
    public var message: String?
    public var project: String?
    public var pid: Int32?
    public var processes: [ProcessStatus]?
    /// Instances a start/stop/restart/signal/scale acted on.
    public var affected: [String]?
    public var lines: [LogLine]?
    public var reload: ReloadReport?

    public init(ok: Bool? = true, message: String? = nil, project: String? = nil, pid: Int32? = nil, processes: [ProcessStatus]? = nil,
                affected: [String]? = nil, lines: [LogLine]? = nil, reload: ReloadReport? = nil) {
        self.ok = ok
        self.message = message
        self.project = project
        self.pid = pid
        self.processes = processes
        self.affected = affected
        self.lines = lines
        self.reload = reload
    }
}

/// A line from the server: a response (with id) or a notification (method + note).
public struct Response: Codable, Sendable, Equatable {
    public var jsonrpc: String?
    public var id: Int?
    public var result: ResultBody?
    public var error: RPCError?
    /// Notifications: `log` or `event`.
    public var method: String?
    public var log: LogLine?
    public var event: EventNote?

    public init(id: Int?, result: ResultBody? = nil, error: RPCError? = nil, method: String? = nil, log: LogLine? = nil, event: EventNote? = nil) {
        self.jsonrpc = "2.0"
        self.id = id
        self.result = result
        self.error = error
        self.method = method
        self.log = log
        self.event = event
    }
}

/// JSON lines in and out: `JSONWriter` writes, `JSONReader` reads.
public enum Wire {
    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        guard var bytes = try? JSONWriter.encode(value) else { return Array("{}\n".utf8) }
        bytes.append(0x0A)
        return bytes
    }

    public static func decode<T: Decodable>(_ type: T.Type, from line: ArraySlice<UInt8>) throws -> T {
        try JSONReader.decode(type, from: line)
    }
}

/// One line of `--log-format json`: `{"ts":…,"process":"web","line":…}` for a
/// line of a process, `{"ts":…,"process":"orch","event":…}` for a message of orch's own.
public struct OutputRecord: Codable, Sendable, Equatable {
    /// ISO 8601, UTC, milliseconds.
    public var ts: String
    public var process: String
    public var line: String?
    public var event: String?

    public init(ts: String, process: String, line: String? = nil, event: String? = nil) {
        self.ts = ts
        self.process = process
        self.line = line
        self.event = event
    }
}

/// `orch run --log-format json`'s closing summary: `{"summary":[{"process":…,"result":…,…}]}`.
public struct RunSummary: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var process: String
        public var result: String
        public var restarts: Int
        public var code: Int32?
        public var seconds: Double?

        public init(process: String, result: String, restarts: Int, code: Int32?, seconds: Double?) {
            self.process = process
            self.result = result
            self.restarts = restarts
            self.code = code
            self.seconds = seconds
        }
    }

    public var summary: [Row]

    public init(summary: [Row]) {
        self.summary = summary
    }
}

/// The state file's format: its name in the state directory and its content
/// (`ControlEndpoint` as one JSON line). Finding the directory, checking who owns it
/// and reading it are the client's (`OrchClient.StateFile`).
public enum StateFileFormat {
    /// `NAME-HASH.json`, from the project directory's last component and a 64-bit
    /// FNV-1a hash of its whole path, so two projects never share a file.
    public static func fileName(forProject project: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in project.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        let name = project.split(separator: "/").last.map(String.init) ?? "root"
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(40))
        return "\(safe)-\(String(repeating: "0", count: 16 - hex.count))\(hex).json"
    }

    public static func encode(_ endpoint: ControlEndpoint) -> [UInt8] { Wire.encode(endpoint) }

    /// The endpoint, or nil when the bytes are not a state file.
    public static func decode(_ bytes: [UInt8]) -> ControlEndpoint? {
        try? Wire.decode(ControlEndpoint.self, from: bytes[...])
    }
}

/// Where a running orch can be reached: the state file's content.
public struct ControlEndpoint: Codable, Sendable, Equatable {
    public var pid: Int32
    public var host: String
    public var port: Int
    public var token: String
    public var project: String
    public var socket: String?

    public init(pid: Int32, host: String, port: Int, token: String, project: String, socket: String? = nil) {
        self.pid = pid
        self.host = host
        self.port = port
        self.token = token
        self.project = project
        self.socket = socket
    }

    public var address: String { "\(host):\(port)" }
}
