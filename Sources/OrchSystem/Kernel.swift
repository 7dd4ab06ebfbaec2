import COrchShim
import Glibc

/// `epoll(7)`: one instance, level-triggered, 64-bit user data per registration.
public final class Epoll {
    public let fd: Int32
    private var datas = [UInt64](repeating: 0, count: 256)
    private var events = [UInt32](repeating: 0, count: 256)

    public static let readable = ORCH_EPOLLIN
    public static let writable = ORCH_EPOLLOUT
    public static let hangup = ORCH_EPOLLHUP | ORCH_EPOLLERR

    public init() throws(SystemError) {
        var fd: Int32 = -1
        try check(orch_epoll_create(&fd), "epoll_create1")
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    public func add(_ target: Int32, events: UInt32, data: UInt64) throws(SystemError) {
        try check(orch_epoll_ctl(fd, 1, target, events, data), "epoll_ctl", "add fd \(target)")
    }

    public func modify(_ target: Int32, events: UInt32, data: UInt64) throws(SystemError) {
        try check(orch_epoll_ctl(fd, 3, target, events, data), "epoll_ctl", "modify fd \(target)")
    }

    public func remove(_ target: Int32) {
        _ = orch_epoll_ctl(fd, 2, target, 0, 0)
    }

    /// Blocks until readiness or the timeout (-1 = forever); EINTR yields no events.
    public func wait(timeoutMilliseconds: Int32 = -1) throws(SystemError) -> [(data: UInt64, events: UInt32)] {
        var count: Int32 = 0
        let rc = datas.withUnsafeMutableBufferPointer { d in
            events.withUnsafeMutableBufferPointer { e in
                orch_epoll_wait(fd, d.baseAddress!, e.baseAddress!, 256, timeoutMilliseconds, &count)
            }
        }
        if rc == EINTR { return [] }
        try check(rc, "epoll_wait")
        return (0..<Int(count)).map { (datas[$0], events[$0]) }
    }
}

/// `signalfd(2)` for the signals orch blocks at start-up.
public final class SignalFD {
    public let fd: Int32

    /// Blocks CHLD INT TERM HUP QUIT USR1 USR2 WINCH and ignores SIGPIPE. Call before
    /// any thread exists (`pthread_sigmask(3)`), first thing in main.
    public static func blockSignals() throws(SystemError) {
        try check(orch_block_signals(), "pthread_sigmask")
    }

    /// Gives signals back their default effect, for commands that do not supervise.
    public static func unblockSignals() {
        _ = orch_unblock_signals()
    }

    public init() throws(SystemError) {
        var fd: Int32 = -1
        try check(orch_signalfd_create(&fd), "signalfd")
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// Every pending signal, in arrival order.
    public func drain() -> [Int32] {
        var result: [Int32] = []
        var signo: Int32 = 0
        var sender: pid_t = 0
        while orch_signalfd_read(fd, &signo, &sender) == 0 { result.append(signo) }
        return result
    }
}

/// `timerfd_create(2)` on CLOCK_MONOTONIC, armed at absolute deadlines.
public final class TimerFD {
    public let fd: Int32

    public init() throws(SystemError) {
        var fd: Int32 = -1
        try check(orch_timerfd_create(&fd), "timerfd_create")
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// Arms at `deadline` (monotonic ns), or disarms when nil.
    public func arm(atNanoseconds deadline: Int64?) throws(SystemError) {
        try check(orch_timerfd_set_absolute(fd, max(deadline ?? 0, deadline == nil ? 0 : 1)), "timerfd_settime")
    }

    public func drain() { _ = orch_timerfd_drain(fd) }
}

public enum Clock {
    /// CLOCK_MONOTONIC in nanoseconds.
    public static func monotonicNanoseconds() -> Int64 { orch_monotonic_ns() }
    /// CLOCK_REALTIME in nanoseconds.
    public static func realtimeNanoseconds() -> Int64 { orch_realtime_ns() }
}
