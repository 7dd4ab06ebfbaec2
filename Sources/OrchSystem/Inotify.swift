import COrchShim
import Glibc

/// `inotify(7)`: one non-blocking instance; watches are per directory (or file).
public final class Inotify {
    public let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 64 << 10)

    public struct Event: Sendable, Equatable {
        public var watch: Int32
        public var name: String
        public var isDirectory: Bool
        /// A directory appeared inside a watched one (created or moved in).
        public var isNewDirectory: Bool
        /// The entry was deleted or renamed away from the directory.
        public var removed: Bool
        /// The entry was renamed away (IN_MOVED_FROM).
        public var renamedAway: Bool
        /// The watch itself went away (its directory was deleted).
        public var watchRemoved: Bool
        /// The kernel dropped events: anything may have changed.
        public var overflow: Bool
    }

    public init() throws(SystemError) {
        var fd: Int32 = -1
        try check(orch_inotify_init(&fd), "inotify_init1")
        self.fd = fd
    }

    deinit { Glibc.close(fd) }

    /// Watches one path; returns the watch descriptor. ENOSPC means the per-user
    /// limit (fs.inotify.max_user_watches) is reached.
    public func add(_ path: String) throws(SystemError) -> Int32 {
        var wd: Int32 = -1
        let rc = orch_inotify_add(fd, path, &wd)
        if rc == ENOSPC {
            // The limit of orch's user namespace (the same as the sysctl outside containers).
            let limit = ["/proc/sys/user/max_inotify_watches", "/proc/sys/fs/inotify/max_user_watches"].lazy
                .compactMap { Processes.readSmallFile($0)?.split(separator: "\n").first.map(String.init) }.first ?? "?"
            throw SystemError(call: "inotify_add_watch", errno: rc, context: "inotify watch limit reached (\(limit)): raise fs.inotify.max_user_watches")
        }
        try check(rc, "inotify_add_watch", path)
        return wd
    }

    /// Stops a watch (`inotify_rm_watch(2)`); its IN_IGNORED event follows.
    public func remove(_ watch: Int32) {
        _ = inotify_rm_watch(fd, watch)
    }

    /// Every event pending now.
    public func read() -> [Event] {
        var events: [Event] = []
        while true {
            var count = 0
            let rc = buffer.withUnsafeMutableBytes { orch_inotify_read(fd, $0.baseAddress!, $0.count, &count) }
            guard rc == 0, count > 0 else { return events }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset < count {
                    var wd: Int32 = 0
                    var mask: UInt32 = 0
                    var name: UnsafePointer<CChar>?
                    var next = 0
                    guard orch_inotify_event(raw.baseAddress!, count, offset, &wd, &mask, &name, &next) == 0 else { break }
                    let directory = mask & ORCH_IN_ISDIR != 0
                    events.append(Event(
                        watch: wd, name: name.map { String(cString: $0) } ?? "", isDirectory: directory,
                        isNewDirectory: directory && mask & (ORCH_IN_CREATE | ORCH_IN_MOVED_TO) != 0,
                        removed: mask & (ORCH_IN_DELETE | ORCH_IN_MOVED_FROM) != 0,
                        renamedAway: mask & ORCH_IN_MOVED_FROM != 0,
                        watchRemoved: mask & ORCH_IN_IGNORED != 0, overflow: mask & ORCH_IN_Q_OVERFLOW != 0))
                    offset = next
                }
            }
        }
    }
}

extension SystemError {
    /// `inotify_add_watch` failed on the per-user limit, `fs.inotify.max_user_watches`.
    public var isWatchLimit: Bool { call == "inotify_add_watch" && errno == ENOSPC }
    /// The path was gone by the time the watch was added (ENOENT, ENOTDIR).
    public var isMissingPath: Bool { errno == ENOENT || errno == ENOTDIR }
}

/// Shell-style patterns, `fnmatch(3)`.
public enum Glob {
    public static func matches(_ pattern: String, _ path: String, pathname: Bool = false) -> Bool {
        fnmatch(pattern, path, pathname ? FNM_PATHNAME : 0) == 0
    }
}

extension Files {
    /// Subdirectories of `path` (not following symlinks), nil when unreadable.
    public static func subdirectories(of path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var result: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var info = stat()
            if lstat(path + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { result.append(name) }
        }
        return result
    }

    /// Entries of `path` with whether each is a directory (not following symlinks),
    /// nil when unreadable. Uses `d_type` (`readdir(3)`) and `lstat(2)` only where
    /// the filesystem does not fill it in.
    public static func entries(of path: String) -> [(name: String, isDirectory: Bool)]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var result: [(name: String, isDirectory: Bool)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var isDirectory = entry.pointee.d_type == UInt8(DT_DIR)
            if entry.pointee.d_type == UInt8(DT_UNKNOWN) {
                var info = stat()
                isDirectory = lstat(path + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
            }
            result.append((name, isDirectory))
        }
        return result
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}
