import COrchShim
import Glibc

/// Non-blocking TCP sockets (IPv4, and IPv6 for probes) for readiness probes and the control port.
public enum Socket {
    /// Starts a non-blocking connect to `host:port` (dotted IPv4, an IPv6 literal,
    /// or "localhost"). Returns the fd; completion is signalled by EPOLLOUT, then
    /// `pendingError`.
    public static func connect(host: String, port: UInt16) throws(SystemError) -> Int32 {
        if host.contains(":") {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            var name = host
            if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
            if inet_pton(AF_INET6, name, &address.sin6_addr) != 1 {
                throw SystemError(call: "inet_pton", errno: EINVAL, context: "'\(host)' is not an IPv6 address")
            }
            return try startConnect(family: AF_INET6, to: &address, context: "[\(name)]:\(port)")
        }
        var address = try makeAddress(host: host, port: port)
        return try startConnect(family: AF_INET, to: &address, context: "\(host):\(port)")
    }

    /// socket(2) + non-blocking connect(2) to one sockaddr_in or sockaddr_in6.
    private static func startConnect<Address>(family: Int32, to address: inout Address, context: String) throws(SystemError) -> Int32 {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw SystemError(call: "socket", errno: errno) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<Address>.size)) }
        }
        if rc != 0 && errno != EINPROGRESS {
            let code = errno
            Glibc.close(fd)
            throw SystemError(call: "connect", errno: code, context: context)
        }
        return fd
    }

    /// A blocking connection to host:port, given up after the timeout.
    public static func connectBlocking(host: String, port: UInt16, timeoutMilliseconds: Int32 = 5000) throws(SystemError) -> Int32 {
        let fd = try connect(host: host, port: port)
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var ready: Int32
        repeat { ready = poll(&descriptor, 1, timeoutMilliseconds) } while ready < 0 && errno == EINTR
        if ready <= 0 {
            Glibc.close(fd)
            throw SystemError(call: "connect", errno: ETIMEDOUT, context: "\(host):\(port)")
        }
        let error = pendingError(fd)
        if error != 0 {
            Glibc.close(fd)
            throw SystemError(call: "connect", errno: error, context: "\(host):\(port)")
        }
        try Descriptor.setNonBlocking(fd, false)
        return fd
    }

    /// SO_ERROR: 0 once a non-blocking connect has succeeded.
    public static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) != 0 { return errno }
        return value
    }

    /// A listening socket on `host:port` (port 0 = ephemeral), non-blocking. Returns
    /// the fd and the port actually bound.
    public static func listen(host: String, port: UInt16, backlog: Int32 = 64) throws(SystemError) -> (fd: Int32, port: UInt16) {
        var address = try makeAddress(host: host, port: port)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw SystemError(call: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound != 0 {
            let code = errno
            Glibc.close(fd)
            throw SystemError(call: "bind", errno: code, context: "\(host):\(port)")
        }
        if Glibc.listen(fd, backlog) != 0 {
            let code = errno
            Glibc.close(fd)
            throw SystemError(call: "listen", errno: code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, UInt16(bigEndian: actual.sin_port))
    }

    /// A listening Unix-domain socket at `path`, mode 0600, non-blocking. A leftover
    /// socket file that nobody listens on is replaced; a live one is an error.
    public static func listenUnix(path: String, backlog: Int32 = 64) throws(SystemError) -> Int32 {
        if Files.exists(path) {
            var live = false
            do {
                Glibc.close(try connectUnix(path: path, timeoutMilliseconds: 1000))
                live = true
            } catch {
                live = error.errno == ETIMEDOUT  // someone listens but does not accept
            }
            if live { throw SystemError(call: "bind", errno: EADDRINUSE, context: path) }
            unlink(path)
        }
        var address = try makeUnixAddress(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { throw SystemError(call: "socket", errno: errno) }
        let previous = umask(0o077)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previous)
        if bound != 0 {
            let code = errno
            Glibc.close(fd)
            throw SystemError(call: "bind", errno: code, context: path)
        }
        chmod(path, 0o600)
        if Glibc.listen(fd, backlog) != 0 {
            let code = errno
            Glibc.close(fd)
            throw SystemError(call: "listen", errno: code, context: path)
        }
        return fd
    }

    /// A blocking connection to the Unix-domain socket at `path`, given up after the
    /// timeout (-1: none). A listener whose backlog is full (a stopped orch) makes a
    /// non-blocking connect(2) fail with EAGAIN rather than wait (unix(7)), so it is
    /// retried until the deadline.
    public static func connectUnix(path: String, timeoutMilliseconds: Int32 = -1) throws(SystemError) -> Int32 {
        var address = try makeUnixAddress(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        if fd < 0 { throw SystemError(call: "socket", errno: errno) }
        let deadline = Clock.monotonicNanoseconds() + Int64(max(timeoutMilliseconds, 0)) * 1_000_000
        while true {
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if rc == 0 { break }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN && (timeoutMilliseconds < 0 || Clock.monotonicNanoseconds() < deadline) {
                _ = poll(nil, 0, 10)  // the backlog drains only when orch accepts
                continue
            }
            Glibc.close(fd)
            throw SystemError(call: "connect", errno: code == EAGAIN ? ETIMEDOUT : code, context: path)
        }
        try Descriptor.setNonBlocking(fd, false)
        return fd
    }

    private static func makeUnixAddress(_ path: String) throws(SystemError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw SystemError(call: "bind", errno: ENAMETOOLONG, context: "socket path longer than \(capacity - 1) bytes: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in bytes.enumerated() { raw[i] = byte }
            raw[bytes.count] = 0
        }
        return address
    }

    /// accept4(2), non-blocking and CLOEXEC; nil when no connection is waiting.
    public static func accept(_ fd: Int32) -> Int32? {
        while true {
            let client = orch_accept(fd)
            if client >= 0 { return client }
            if errno == EINTR { continue }
            return nil
        }
    }

    /// True when something accepts connections on host:port right now (blocking
    /// connect on loopback, used to wait for a port to be released).
    public static func isListening(host: String, port: UInt16) -> Bool {
        guard var address = try? makeAddress(host: host, port: port) else { return false }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc == 0
    }

    private static func makeAddress(host: String, port: UInt16) throws(SystemError) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        let name = host == "localhost" || host.isEmpty ? "127.0.0.1" : host
        if inet_pton(AF_INET, name, &address.sin_addr) != 1 {
            throw SystemError(call: "inet_pton", errno: EINVAL, context: "'\(host)' is not an IPv4 address (use e.g. 127.0.0.1 or localhost; host names are not looked up)")
        }
        return address
    }
}
