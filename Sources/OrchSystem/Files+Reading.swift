import Glibc

extension Files {
    /// What a path names, following symlinks (`stat(2)`); nil when it names nothing
    /// reachable.
    public enum Kind: Sendable, Equatable {
        case regular, directory, other
    }

    public static func kind(_ path: String) -> Kind? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// A whole file for the config loader: up to `limit` bytes, read until end of
    /// file (so a pipe such as `/dev/stdin` works too). Throws EFBIG past the limit.
    public static func contents(_ path: String, limit: Int = 256 << 20) throws(SystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError(call: "open", errno: errno, context: path) }
        defer { Glibc.close(fd) }
        var result: [UInt8] = []
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 {
            result.reserveCapacity(Swift.min(Int(info.st_size), limit) + 1)
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            switch try Descriptor.read(fd, into: &buffer) {
            case .bytes(let n):
                guard result.count + n <= limit else { throw SystemError(call: "read", errno: EFBIG, context: path) }
                result.append(contentsOf: buffer[..<n])
            case .endOfFile, .wouldBlock:
                return result
            }
        }
    }
}

extension SystemError {
    /// `Files.contents` refused a file past its limit.
    public var isFileTooLarge: Bool { errno == EFBIG }
}
