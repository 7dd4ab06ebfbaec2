import OrchProtocol
import OrchSystem

/// Why a control call failed, in one line for the user.
public struct ClientError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A blocking connection to a running orch's control port: connect, authenticate,
/// call methods, read streamed notifications. Connecting and every call are bounded
/// by `timeout`, so a stopped (SIGSTOP) or overloaded orch, or something else on
/// its port, never hangs the client; streamed notifications are waited for as long
/// as the user follows them.
public final class ControlClient {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var chunk: [UInt8] = []
    private var nextID = 1
    private let address: String
    private let timeout: Duration

    /// Connects to `target` and authenticates, each within `timeout`.
    public init(_ target: ControlTarget, timeout: Duration = .seconds(5)) throws(ClientError) {
        address = target.address
        self.timeout = timeout
        let token: String
        do {
            switch target {
            case let .tcp(host, port, key):
                token = key
                fd = try Socket.connectBlocking(host: host, port: port, timeoutMilliseconds: Self.milliseconds(timeout))
            case let .unix(path, key):
                token = key
                fd = try Socket.connectUnix(path: path, timeoutMilliseconds: Self.milliseconds(timeout))
            }
        } catch {
            if error.errno == ETIMEDOUT_ {
                throw ClientError("cannot reach orch at \(target.address): no answer within \(Self.describe(timeout)) (raise --timeout to wait longer)")
            }
            throw ClientError("cannot reach orch at \(target.address): \(error.reason)")
        }
        _ = try call(.auth, Params(token: token))
    }

    /// Connects over TCP.
    public convenience init(host: String, port: UInt16, token: String) throws(ClientError) {
        try self.init(.tcp(host: host, port: port, token: token))
    }

    /// Connects over the Unix-domain socket at `path`.
    public convenience init(socket path: String, token: String) throws(ClientError) {
        try self.init(.unix(path: path, token: token))
    }

    deinit { Descriptor.close(fd) }

    /// Sends a request and waits, at most `timeout`, for its response (notifications
    /// before it are skipped).
    public func call(_ method: Method, _ params: Params = Params()) throws(ClientError) -> ResultBody {
        let id = nextID
        nextID += 1
        let bytes = Wire.encode(Request(id: id, method: method, params: params))
        var offset = 0
        while offset < bytes.count {
            guard case let .wrote(n)? = try? Descriptor.write(fd, bytes, offset: offset), n > 0 else {
                throw ClientError("orch closed the control connection")
            }
            offset += n
        }
        let (sum, overflow) = Clock.monotonicNanoseconds().addingReportingOverflow(Int64(Self.milliseconds(timeout)) * 1_000_000)
        let deadline = overflow ? Int64.max : sum
        while true {
            guard let response = try readResponse(deadline: deadline) else { throw ClientError("orch closed the control connection") }
            if let error = response.error { throw ClientError(error.message) }
            if response.id == id { return response.result ?? ResultBody() }
        }
    }

    /// The next line from orch (a notification while following), nil at end of
    /// stream; waits as long as it takes.
    public func readResponse() throws(ClientError) -> Response? {
        try readResponse(deadline: nil)
    }

    private func readResponse(deadline: Int64?) throws(ClientError) -> Response? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[..<newline]
                defer { buffer.removeSubrange(...newline) }
                do { return try Wire.decode(Response.self, from: line) } catch {
                    throw ClientError("\(address) sent something that is not orch's control protocol")
                }
            }
            if let deadline {
                let left = deadline - Clock.monotonicNanoseconds()
                let milliseconds = left <= 0 ? 0 : Int32(clamping: (left + 999_999) / 1_000_000)
                guard milliseconds > 0, Descriptor.waitReadable(fd, timeoutMilliseconds: milliseconds) else {
                    throw ClientError("orch at \(address) did not answer within \(Self.describe(timeout)): it may be stopped (SIGSTOP) or overloaded; raise --timeout to wait longer")
                }
            }
            // One read buffer for the connection, made on the first read: a follower
            // of `logs -f` gets many lines per read and must not pay for a buffer each.
            if chunk.isEmpty { chunk = [UInt8](repeating: 0, count: 65536) }
            let result: Descriptor.ReadResult
            do { result = try Descriptor.read(fd, into: &chunk) } catch { return nil }
            switch result {
            case let .bytes(n): buffer.append(contentsOf: chunk[..<n])
            case .endOfFile, .wouldBlock: return nil
            }
        }
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow || seconds < 0 { return seconds < 0 ? 0 : Int32.max }
        return Int32(clamping: ms + attoseconds / 1_000_000_000_000_000)
    }

    /// `5s`, `1.5s`, `250ms`.
    static func describe(_ duration: Duration) -> String {
        let ms = Int64(milliseconds(duration))
        if ms < 1000 { return "\(ms)ms" }
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms / 1000).\(String(ms % 1000 / 100))s"
    }
}

let ETIMEDOUT_: Int32 = 110
