import OrchSystem

/// What a registration stands for; the parts keep the objects, the loop keeps keys.
enum Source: Equatable {
    case signals
    case timer
    case stdoutWritable
    /// A child's output pipe, by its leader's pid.
    case childOutput(pid: Int32)
    /// A tcp or http readiness check, by its probe id.
    case probe(UInt64)
    /// A control listener (TCP or Unix socket).
    case controlListener
    case watcher
    /// A control connection, by its connection id.
    case control(UInt64)
}

/// One `epoll(7)` instance, level-triggered, with the timer that wakes it. Every
/// registration gets a fresh id as its epoll user data, so an event for an fd that
/// was closed (and whose number the kernel has since reused) is dropped by id.
final class EventLoop {
    private let epoll: Epoll
    private let timer: TimerFD
    private var sources: [UInt64: Source] = [:]
    private var nextID: UInt64 = 16
    /// What the timerfd is armed at, so an unchanged deadline costs no syscall.
    private var armedDeadline: Int64?

    init() throws(SystemError) {
        epoll = try Epoll()
        timer = try TimerFD()
        try register(timer.fd, events: Epoll.readable, as: .timer)
    }

    /// Watches `fd` for `events`; the returned id is what `modify` and `unregister` take.
    @discardableResult
    func register(_ fd: Int32, events: UInt32, as source: Source) throws(SystemError) -> UInt64 {
        let id = nextID
        nextID += 1
        try epoll.add(fd, events: events, data: id)
        sources[id] = source
        return id
    }

    func modify(_ fd: Int32, events: UInt32, id: UInt64) {
        try? epoll.modify(fd, events: events, data: id)
    }

    /// Stops watching `fd` (its owner closes it); its late events are dropped by id.
    func unregister(_ fd: Int32, _ id: UInt64) {
        epoll.remove(fd)
        sources.removeValue(forKey: id)
    }

    /// The source of a ready registration, nil once it was unregistered (even during
    /// this same turn).
    func source(_ id: UInt64) -> Source? { sources[id] }

    /// Blocks until something is ready or the timer fires.
    func wait(timeoutMilliseconds: Int32 = -1) throws(SystemError) -> [(id: UInt64, events: UInt32)] {
        try epoll.wait(timeoutMilliseconds: timeoutMilliseconds).map { ($0.data, $0.events) }
    }

    /// Arms the timer at `deadline` (monotonic ns), or disarms it when nil.
    func arm(at deadline: Int64?) {
        guard deadline != armedDeadline else { return }
        try? timer.arm(atNanoseconds: deadline)
        armedDeadline = deadline
    }

    /// The timer fired: consume its expiry.
    func timerFired() {
        timer.drain()
        armedDeadline = nil
    }
}
