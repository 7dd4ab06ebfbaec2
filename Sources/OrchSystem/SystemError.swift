import COrchShim
import Glibc

/// A failed system call: which call, the errno, and what orch was doing.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var call: String
    public var errno: Int32
    public var context: String

    public init(call: String, errno: Int32, context: String = "") {
        self.call = call
        self.errno = errno
        self.context = context
    }

    /// The C library's text for the errno, e.g. "No such file or directory".
    public var reason: String { SystemError.describe(errno) }

    /// The fd was not open for this (EBADF): e.g. a stdout that was closed and that
    /// `Descriptor.openStandardDescriptors` reopened read-only.
    public var isClosedDescriptor: Bool { errno == EBADF }

    public var description: String {
        context.isEmpty ? "\(call): \(reason)" : "\(context): \(call): \(reason)"
    }

    public static func describe(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }
}

/// Turns a shim return code (0 or errno) into a thrown SystemError.
@inline(__always)
func check(_ code: Int32, _ call: String, _ context: String = "") throws(SystemError) {
    if code != 0 { throw SystemError(call: call, errno: code, context: context) }
}
