import Glibc

/// Small whole-file operations for the state file: private directories, files only
/// the user can read, atomic replacement.
public enum Files {
    /// `mkdir -p` with mode 0700 for the last component; refuses a directory that
    /// belongs to someone else or that others can open.
    public static func makePrivateDirectory(_ path: String) throws(SystemError) {
        var components: [Substring] = []
        for part in path.split(separator: "/") { components.append(part) }
        var current = path.hasPrefix("/") ? "" : "."
        for (i, part) in components.enumerated() {
            current += "/" + part
            let mode: mode_t = i == components.count - 1 ? 0o700 : 0o755
            if mkdir(current, mode) != 0 && errno != EEXIST {
                throw SystemError(call: "mkdir", errno: errno, context: current)
            }
        }
        var info = stat()
        guard lstat(path, &info) == 0 else { throw SystemError(call: "stat", errno: errno, context: path) }
        guard (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid() else {
            throw SystemError(call: "stat", errno: EPERM, context: "\(path) is not a directory owned by you")
        }
        if info.st_mode & 0o077 != 0 && chmod(path, 0o700) != 0 {
            throw SystemError(call: "chmod", errno: errno, context: path)
        }
    }

    /// What lstat(2) says about who may change a path.
    public struct Ownership: Sendable, Equatable {
        public enum Kind: Sendable { case directory, regularFile, symbolicLink, other }
        public var kind: Kind
        public var owner: UInt32
        /// Permission bits, e.g. 0o700.
        public var mode: UInt32
        /// Group or others may write to it.
        public var writableByOthers: Bool { mode & 0o022 != 0 }
    }

    /// lstat(2) of `path` (a symlink is reported as one, not followed); nil when absent.
    public static func ownership(_ path: String) -> Ownership? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        let kind: Ownership.Kind
        switch info.st_mode & S_IFMT {
        case S_IFDIR: kind = .directory
        case S_IFREG: kind = .regularFile
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        return Ownership(kind: kind, owner: info.st_uid, mode: UInt32(info.st_mode & 0o7777))
    }

    /// `mkdir -p` with mode 0755.
    public static func makeDirectories(_ path: String) throws(SystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 {
                guard errno == EEXIST else { throw SystemError(call: "mkdir", errno: errno, context: current) }
                // mkdir(2) says EEXIST for a file too: that is no directory to write in.
                var info = stat()
                guard stat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
                    throw SystemError(call: "mkdir", errno: ENOTDIR, context: current)
                }
            }
        }
    }

    /// Writes `bytes` to `path` with mode 0600, atomically (temporary file + rename).
    public static func writePrivate(_ path: String, _ bytes: [UInt8]) throws(SystemError) {
        let temporary = "\(path).\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0 { throw SystemError(call: "open", errno: errno, context: temporary) }
        var offset = 0
        while offset < bytes.count {
            guard case let .wrote(n)? = try? Descriptor.write(fd, bytes, offset: offset), n > 0 else {
                Glibc.close(fd)
                unlink(temporary)
                throw SystemError(call: "write", errno: EIO, context: temporary)
            }
            offset += n
        }
        fchmod(fd, 0o600)
        Glibc.close(fd)
        if Glibc.rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw SystemError(call: "rename", errno: code, context: path)
        }
    }

    /// The whole file, or nil when it cannot be read.
    public static func read(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while result.count < limit {
            guard case let .bytes(n)? = try? Descriptor.read(fd, into: &buffer) else { break }
            result.append(contentsOf: buffer[..<n])
        }
        return result
    }

    /// Opens `path` for appending (created 0644), with its directories.
    public static func openAppend(_ path: String) throws(SystemError) -> Int32 {
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try makeDirectories(String(path[..<slash]))
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 { throw SystemError(call: "open", errno: errno, context: path) }
        return fd
    }

    /// Size of an open file.
    public static func size(_ fd: Int32) -> Int {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int(info.st_size) : 0
    }

    /// ftruncate(2): cuts an open file to `length` bytes, best effort.
    public static func truncate(_ fd: Int32, to length: Int) {
        _ = ftruncate(fd, off_t(length))
    }

    /// rename(2); a missing source is not an error.
    public static func rename(_ from: String, _ to: String) {
        _ = Glibc.rename(from, to)
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    /// Permission bits (e.g. 0o600), nil when the path does not exist.
    public static func permissions(_ path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode & 0o7777)
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public static var userID: UInt32 { getuid() }

    /// Bytes from the kernel's CSPRNG (`/dev/urandom`).
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            var got = 0
            while got < count, case let .bytes(n)? = try? Descriptor.read(fd, into: &result, offset: got) { got += n }
            Glibc.close(fd)
            if got == count { return result }
        }
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

extension Processes {
    /// The real user id a process runs as (the owner of `/proc/PID`), nil when gone.
    public static func owner(of pid: Int32) -> UInt32? {
        guard pid > 0 else { return nil }
        return Files.ownership("/proc/\(pid)")?.owner
    }

    /// `/proc/PID/comm`, e.g. "orch".
    public static func commandName(_ pid: Int32) -> String? {
        readSmallFile("/proc/\(pid)/comm").map { String($0.prefix { $0 != "\n" }) }
    }
}
