import Glibc

extension Clock {
    /// Sleeps the calling thread (`nanosleep(2)`), for a client polling a condition;
    /// never used on orch's loop.
    public static func pause(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
