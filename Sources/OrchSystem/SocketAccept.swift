import COrchShim
import Glibc

extension Socket {
    /// What one `accept4(2)` on a listening socket gave.
    public enum Accepted: Equatable, Sendable {
        case connection(Int32)
        /// Nothing is waiting.
        case none
        /// The process or system is out of descriptors (EMFILE, ENFILE) or memory
        /// (ENOBUFS, ENOMEM): the connection stays queued, and the listener stays
        /// readable, so accepting again at once would spin.
        case exhausted(SystemError)
    }

    /// Accepts one connection, non-blocking and close-on-exec; EINTR and a
    /// connection aborted before it was accepted are retried.
    public static func acceptOne(_ fd: Int32) -> Accepted {
        while true {
            let client = orch_accept(fd)
            if client >= 0 { return .connection(client) }
            let code = errno
            switch code {
            case EINTR, ECONNABORTED, EPROTO: continue
            case EMFILE, ENFILE, ENOBUFS, ENOMEM: return .exhausted(SystemError(call: "accept4", errno: code))
            default: return .none
            }
        }
    }
}
