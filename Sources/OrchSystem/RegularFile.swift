import Glibc

/// What a path names, as `stat(2)` reports it (symbolic links followed).
public enum FileKind: Sendable, Equatable, CustomStringConvertible {
    case regular, directory, fifo, characterDevice, blockDevice, socket, other

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        default: self = .other
        }
    }

    public var description: String {
        switch self {
        case .regular: return "a regular file"
        case .directory: return "a directory"
        case .fifo: return "a FIFO"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .socket: return "a socket"
        case .other: return "not a regular file"
        }
    }
}

/// Why a file that the user named (a config, an env file) could not be read, in
/// words that say what to do. Running as root, `access(2)` and friends succeed on
/// anything, so a FIFO or a device must be recognised by its type, not by a failed
/// open; and a symlink loop is ELOOP, not "no such file".
public enum ReadFailure: Error, Sendable, Equatable, CustomStringConvertible {
    case missing
    case nulInPath
    case symlinkLoop
    case permissionDenied
    case notRegular(FileKind)
    case tooLarge(limit: Int)
    case other(SystemError)

    init(errno code: Int32, call: String, path: String) {
        switch code {
        case ENOENT: self = .missing
        case ELOOP: self = .symlinkLoop
        case EACCES, EPERM: self = .permissionDenied
        default: self = .other(SystemError(call: call, errno: code, context: path))
        }
    }

    public var description: String {
        switch self {
        case .missing: return "no such file"
        case .nulInPath: return "the path contains a NUL byte"
        case .symlinkLoop: return "too many levels of symbolic links (a symlink loop?)"
        case .permissionDenied: return "cannot read: permission denied"
        case let .notRegular(kind): return "not a regular file (it is \(kind)): give a file"
        case let .tooLarge(limit): return "is larger than \(limit >> 20) MiB: not a config file"
        case let .other(error): return "cannot read: \(error.reason)"
        }
    }
}

extension Files {
    /// The kind of what `path` names, following symbolic links (`stat(2)`).
    public static func status(_ path: String) -> Result<FileKind, ReadFailure> {
        // The C string would end at the NUL: another path than the one named.
        guard !path.utf8.contains(0) else { return .failure(.nulInPath) }
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(ReadFailure(errno: errno, call: "stat", path: path)) }
        return .success(FileKind(mode: info.st_mode))
    }

    /// The whole content of a regular file of at most `limit` bytes. Anything else
    /// is refused before it is opened (opening a FIFO blocks until a writer comes;
    /// opening a device can have effects), and checked again on the open descriptor
    /// (`fstat(2)`), so a path swapped in between is refused too.
    public static func readRegular(_ path: String, limit: Int) -> Result<[UInt8], ReadFailure> {
        switch status(path) {
        case let .failure(failure): return .failure(failure)
        case let .success(kind) where kind != .regular: return .failure(.notRegular(kind))
        case .success: break
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return .failure(ReadFailure(errno: errno, call: "open", path: path)) }
        defer { Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return .failure(ReadFailure(errno: errno, call: "fstat", path: path)) }
        let kind = FileKind(mode: info.st_mode)
        guard kind == .regular else { return .failure(.notRegular(kind)) }
        guard Int(info.st_size) <= limit else { return .failure(.tooLarge(limit: limit)) }
        var result: [UInt8] = []
        result.reserveCapacity(Int(info.st_size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let outcome: Descriptor.ReadResult
            do { outcome = try Descriptor.read(fd, into: &buffer) } catch { return .failure(.other(error)) }
            guard case let .bytes(n) = outcome else { break }
            // A file that grows while it is read is still bounded.
            guard result.count + n <= limit else { return .failure(.tooLarge(limit: limit)) }
            result.append(contentsOf: buffer[..<n])
        }
        return .success(result)
    }
}

extension Socket {
    /// Whether a probe can connect to `host` without a name lookup: what `connect`
    /// accepts (dotted IPv4, an IPv6 literal with or without brackets, localhost).
    public static func isNumericAddress(_ host: String) -> Bool {
        if host == "localhost" || host.isEmpty { return true }
        if host.contains(":") {
            var name = host
            if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
            var address = in6_addr()
            return inet_pton(AF_INET6, name, &address) == 1
        }
        var address = in_addr()
        return inet_pton(AF_INET, host, &address) == 1
    }

    /// Longest path a Unix-domain socket can be bound at (`unix(7)`: sun_path holds
    /// 108 bytes with the terminating NUL).
    public static var longestSocketPath: Int {
        MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1
    }
}
