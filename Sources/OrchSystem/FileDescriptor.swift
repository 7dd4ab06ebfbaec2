import Glibc

/// An open file descriptor with one owner: it is closed exactly once, when its owner
/// drops it (`close(2)`), so no `-1` sentinel marks a closed one and no fd can be
/// closed twice after the kernel has reused its number.
public struct FileDescriptor: ~Copyable {
    /// The number, for calls that take an fd; valid while this value lives.
    public let raw: Int32

    /// Takes ownership of `raw`.
    public init(owning raw: Int32) { self.raw = raw }

    deinit { _ = Glibc.close(raw) }

    /// Gives up ownership without closing, for an fd handed to someone else.
    public consuming func release() -> Int32 {
        let raw = self.raw
        discard self
        return raw
    }

    /// `/dev/null`, read-write, close-on-exec.
    public static func devNull() throws(SystemError) -> FileDescriptor {
        FileDescriptor(owning: try Descriptor.openDevNull())
    }
}
