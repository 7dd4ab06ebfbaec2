import COrchShim
import Glibc

/// Plain file-descriptor operations. orch keeps fds as Int32 and closes them
/// explicitly: every owner (child output, probe socket, client) has one place that
/// closes it.
public enum Descriptor {
    public enum ReadResult: Equatable, Sendable {
        case bytes(Int)
        case wouldBlock
        case endOfFile
    }

    public enum WriteResult: Equatable, Sendable {
        case wrote(Int)
        case wouldBlock
        case brokenPipe
    }

    /// read(2) into `buffer` starting at `offset`; EINTR retried.
    public static func read(_ fd: Int32, into buffer: inout [UInt8], offset: Int = 0, count: Int? = nil) throws(SystemError) -> ReadResult {
        let wanted = min(count ?? (buffer.count - offset), buffer.count - offset)
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress! + offset, wanted)
            }
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfFile }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            throw SystemError(call: "read", errno: code)
        }
    }

    /// write(2) of `bytes[offset...]`; EINTR retried; EPIPE reported, not thrown.
    public static func write(_ fd: Int32, _ bytes: [UInt8], offset: Int = 0) throws(SystemError) -> WriteResult {
        let remaining = bytes.count - offset
        if remaining <= 0 { return .wrote(0) }
        while true {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, remaining)
            }
            if n >= 0 { return .wrote(n) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            if code == EPIPE { return .brokenPipe }
            throw SystemError(call: "write", errno: code)
        }
    }

    /// Writes everything, blocking; used for small messages on a blocking fd.
    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            guard case let .wrote(n)? = try? write(fd, bytes, offset: offset), n > 0 else { return }
            offset += n
        }
    }

    /// Creates or truncates `path` (mode 0644, or `mode`) and writes `bytes` to it.
    public static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(SystemError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 { throw SystemError(call: "open", errno: errno, context: path) }
        defer { Glibc.close(fd) }
        var offset = 0
        while offset < bytes.count {
            guard case let .wrote(n) = try write(fd, bytes, offset: offset), n > 0 else {
                throw SystemError(call: "write", errno: EIO, context: path)
            }
            offset += n
        }
    }

    /// poll(2) for readability: true when `fd` can be read (or is at end of file or
    /// in error), false when `timeoutMilliseconds` passed first (-1 waits forever).
    public static func waitReadable(_ fd: Int32, timeoutMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var ready: Int32
        repeat { ready = poll(&descriptor, 1, timeoutMilliseconds) } while ready < 0 && errno == EINTR
        return ready != 0
    }

    /// poll(2) for writability (a non-blocking stdout shared with another program):
    /// true when `fd` can be written or is in error, false on timeout.
    public static func waitWritable(_ fd: Int32, timeoutMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        var ready: Int32
        repeat { ready = poll(&descriptor, 1, timeoutMilliseconds) } while ready < 0 && errno == EINTR
        return ready != 0
    }

    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Opens `/dev/null` onto whichever of fds 0, 1 and 2 is closed, so that no fd
    /// orch opens later (the epoll fd, a child's pipe) takes their place and gets
    /// written to as stdout. Call first thing in main. fds 1 and 2 are opened
    /// read-only: a write to a stdout that was closed fails (EBADF) and is reported,
    /// instead of vanishing into /dev/null. Returns the fds that were closed.
    @discardableResult
    public static func openStandardDescriptors() -> [Int32] {
        var opened: [Int32] = []
        for target: Int32 in 0...2 where fcntl(target, F_GETFD) < 0 && errno == EBADF {
            // open(2) returns the lowest free fd, which is `target`; dup2 in case not.
            let fd = Glibc.open("/dev/null", O_RDONLY)
            guard fd >= 0 else { continue }
            if fd != target {
                _ = dup2(fd, target)
                _ = Glibc.close(fd)
            }
            opened.append(target)
        }
        return opened
    }

    /// pipe2(O_CLOEXEC) with a non-blocking read end. Returns (read, write).
    /// `capacity` asks for a larger kernel buffer (F_SETPIPE_SZ), best effort: fewer
    /// wake-ups for a chatty child.
    public static func pipe(nonblockingRead: Bool = true, capacity: Int? = nil) throws(SystemError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        let rc = fds.withUnsafeMutableBufferPointer { orch_pipe($0.baseAddress!, nonblockingRead ? 1 : 0) }
        try check(rc, "pipe2")
        if let capacity { growPipe(fds[0], to: capacity) }
        return (fds[0], fds[1])
    }

    /// A pseudo-terminal pair (master non-blocking). Returns (master, slave).
    public static func pseudoTerminal() throws(SystemError) -> (master: Int32, slave: Int32) {
        var master: Int32 = -1
        var slave: Int32 = -1
        try check(orch_openpty(&master, &slave), "posix_openpt")
        return (master, slave)
    }

    public static func openDevNull() throws(SystemError) -> Int32 {
        let fd = Glibc.open("/dev/null", O_RDWR | O_CLOEXEC)
        if fd < 0 { throw SystemError(call: "open", errno: errno, context: "/dev/null") }
        return fd
    }

    public static func setNonBlocking(_ fd: Int32, _ on: Bool) throws(SystemError) {
        try check(orch_set_nonblocking(fd, on ? 1 : 0), "fcntl")
    }

    public static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }

    /// True for a pipe or socket: the kinds of stdout whose writes can block for long.
    public static func isPipeOrSocket(_ fd: Int32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type == S_IFIFO || type == S_IFSOCK
    }

    /// Asks for a larger kernel buffer on a pipe (F_SETPIPE_SZ); false when refused.
    @discardableResult
    public static func growPipe(_ fd: Int32, to capacity: Int) -> Bool {
        fcntl(fd, 1031 /* F_SETPIPE_SZ */, Int32(capacity)) >= 0
    }

    /// The raw O_* status flags, to restore stdout's on exit.
    public static func statusFlags(_ fd: Int32) -> Int32 { fcntl(fd, F_GETFL) }
    public static func setStatusFlags(_ fd: Int32, _ flags: Int32) { _ = fcntl(fd, F_SETFL, flags) }
}
