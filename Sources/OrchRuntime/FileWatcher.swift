import OrchConfig
import OrchSystem

/// The `watch:` of every process, on one inotify instance. Directories are watched
/// recursively (new subdirectories join as they appear); a watched file is seen
/// through its directory, so editors that replace files by renaming still count.
final class FileWatcher {
    /// Ignored whatever the config says: VCS data and editors' scratch files.
    static let defaultIgnore = [".git/", ".hg/", ".svn/", "*.swp", "*.swx", "*~", ".#*", "4913"]

    struct Subscriber {
        var process: String
        /// The configured path this watch belongs to.
        var root: String
        var ignore: [String]
        /// For a watched file: only this name in the directory counts.
        var onlyName: String?
    }

    let inotify: Inotify
    private var directories: [Int32: (path: String, subscribers: [Subscriber])] = [:]
    private let projectDirectory: String

    init(projectDirectory: String) throws(SystemError) {
        inotify = try Inotify()
        self.projectDirectory = projectDirectory
    }

    var isEmpty: Bool { directories.isEmpty }

    /// Starts watching a process's paths; returns problems to report (missing paths,
    /// the watch limit).
    func watch(process: String, spec: WatchSpec) -> [String] {
        var problems: [String] = []
        for root in spec.paths {
            let subscriber = Subscriber(process: process, root: root, ignore: FileWatcher.defaultIgnore + spec.ignore, onlyName: nil)
            if Files.isDirectory(root) {
                if let problem = addTree(root, subscriber) { problems.append(problem) }
            } else if Files.exists(root) {
                let slash = root.lastIndex(of: "/") ?? root.startIndex
                var fileSubscriber = subscriber
                fileSubscriber.onlyName = String(root[root.index(after: slash)...])
                fileSubscriber.root = String(root[..<slash])
                if let problem = add(String(root[..<slash]), fileSubscriber) { problems.append(problem) }
            } else {
                problems.append("\(process): cannot watch \(display(root)): No such file or directory")
            }
        }
        return problems
    }

    /// Reads pending events; returns (process, path shown to the user) per relevant change.
    func changes() -> [(process: String, path: String)] {
        var result: [(String, String)] = []
        for event in inotify.read() {
            if event.overflow {
                let processes = Set(directories.values.flatMap { $0.subscribers.map(\.process) })
                result += processes.sorted().map { ($0, "(too many changes to list)") }
                continue
            }
            guard let directory = directories[event.watch] else { continue }
            if event.watchRemoved {
                directories.removeValue(forKey: event.watch)
                continue
            }
            let full = directory.path + "/" + event.name
            for subscriber in directory.subscribers {
                if let only = subscriber.onlyName, only != event.name { continue }
                let relative = relativePath(full, to: subscriber.root)
                if ignored(relative, isDirectory: event.isDirectory, by: subscriber.ignore) { continue }
                if event.isNewDirectory && subscriber.onlyName == nil {
                    _ = addTree(full, subscriber)
                }
                result.append((subscriber.process, display(full)))
            }
        }
        return result
    }

    private func addTree(_ path: String, _ subscriber: Subscriber) -> String? {
        if let problem = add(path, subscriber) { return problem }
        for name in Files.subdirectories(of: path) ?? [] {
            let child = path + "/" + name
            if ignored(relativePath(child, to: subscriber.root), isDirectory: true, by: subscriber.ignore) { continue }
            if let problem = addTree(child, subscriber) { return problem }
        }
        return nil
    }

    private func add(_ path: String, _ subscriber: Subscriber) -> String? {
        do {
            let wd = try inotify.add(path)
            var entry = directories[wd] ?? (path, [])
            entry.subscribers.append(subscriber)
            directories[wd] = entry
            return nil
        } catch {
            return "\(subscriber.process): cannot watch \(display(path)): \(error.context.hasPrefix("inotify watch limit") ? error.context : error.reason)"
        }
    }

    /// gitignore-like: `dir/` ignores a directory of that name at any depth; other
    /// patterns match the name, or the path from the watch root when they hold a `/`.
    func ignored(_ relative: String, isDirectory: Bool, by patterns: [String]) -> Bool {
        let components = relative.split(separator: "/").map(String.init)
        guard let name = components.last else { return false }
        for pattern in patterns {
            if pattern.hasSuffix("/") {
                let directoryPattern = String(pattern.dropLast())
                let directoriesInPath = isDirectory ? components : Array(components.dropLast())
                if directoryPattern.contains("/") {
                    if directoriesInPath.indices.contains(where: { Glob.matches(directoryPattern, directoriesInPath[0...$0].joined(separator: "/"), pathname: true) }) { return true }
                } else if directoriesInPath.contains(where: { Glob.matches(directoryPattern, $0) }) {
                    return true
                }
            } else if pattern.contains("/") {
                if Glob.matches(pattern, relative, pathname: true) { return true }
            } else if Glob.matches(pattern, name) {
                return true
            }
        }
        return false
    }

    private func relativePath(_ path: String, to root: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    private func display(_ path: String) -> String {
        Path.display(path, from: projectDirectory)
    }
}
