import OrchProtocol
import OrchSystem

/// Why a control call failed, in one line for the user.
public struct ClientError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A blocking connection to a running orch's control port: connect, authenticate,
/// call methods, read streamed notifications.
public final class ControlClient {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var nextID = 1

    public init(host: String, port: UInt16, token: String) throws {
        do {
            fd = try Socket.connectBlocking(host: host, port: port)
        } catch {
            throw ClientError("cannot reach orch at \(host):\(port): \(error.reason)")
        }
        _ = try call(.auth, Params(token: token))
    }

    /// Connects over the Unix-domain socket at `path`.
    public init(socket path: String, token: String) throws {
        do {
            fd = try Socket.connectUnix(path: path)
        } catch {
            throw ClientError("cannot reach orch at \(path): \(error.reason)")
        }
        _ = try call(.auth, Params(token: token))
    }

    deinit { Descriptor.close(fd) }

    /// Sends a request and waits for its response (notifications before it are skipped).
    public func call(_ method: Method, _ params: Params = Params()) throws -> ResultBody {
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
        while true {
            guard let response = try readResponse() else { throw ClientError("orch closed the control connection") }
            if let error = response.error { throw ClientError(error.message) }
            if response.id == id { return response.result ?? ResultBody() }
        }
    }

    /// The next line from orch (a notification while following), nil at end of stream.
    public func readResponse() throws -> Response? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[..<newline]
                defer { buffer.removeSubrange(...newline) }
                do { return try Wire.decode(Response.self, from: line) } catch {
                    throw ClientError("orch sent something that is not a protocol line")
                }
            }
            let result: Descriptor.ReadResult
            do { result = try Descriptor.read(fd, into: &chunk) } catch { return nil }
            switch result {
            case let .bytes(n): buffer.append(contentsOf: chunk[..<n])
            case .endOfFile, .wouldBlock: return nil
            }
        }
    }
}
