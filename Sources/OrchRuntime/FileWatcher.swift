import OrchConfig
import OrchSystem

/// The `watch:` of every process, and the config's own files, on one inotify
/// instance (`inotify(7)`). Directories are watched recursively (new subdirectories
/// join as they appear); a watched file is seen through its directory, so editors
/// that replace files by renaming still count. Directories that git ignores are not
/// watched at all, and a watched directory that is deleted is waited for from its
/// nearest existing parent, so it is watched again when it comes back.
final class FileWatcher {
    /// Ignored whatever the config says: VCS data and editors' scratch files.
    static let defaultIgnore = [".git/", ".hg/", ".svn/", "*.swp", "*.swx", "*~", ".#*", "4913"]

    enum Change: Equatable {
        /// A watched file of a process changed; `path` as shown to the user.
        case process(String, path: String, removed: Bool)
        /// The config file or one of its env files changed.
        case config(path: String)
    }

    struct Subscriber: Equatable {
        var process: String
        /// The watched directory (for a watched file: its directory).
        var root: String
        var ignore: [String]
        /// For a watched file: only this name in the directory counts.
        var onlyName: String?
        /// The repository whose ignore files apply (nil: `watch.gitignore: false`).
        var repository: String?
    }

    private struct Directory {
        var path: String
        var subscribers: [Subscriber] = []
        /// Names of config files in this directory.
        var configNames: Set<String> = []
        /// Watched to see a deleted watch root come back.
        var sentinel = false
    }

    let inotify: Inotify
    private var directories: [Int32: Directory] = [:]
    private let projectDirectory: String
    private var ignoreTrees: [String: IgnoreTree] = [:]
    /// The config and env files, never a process's change (saving them reloads).
    private var configFiles: Set<String> = []
    /// Subscribers whose root directory is gone, waited for.
    private var missing: [Subscriber] = []
    /// Directories that would have been watched but for the inotify limit.
    private(set) var unwatched = 0
    private var limitError: SystemError?

    init(projectDirectory: String) throws(SystemError) {
        inotify = try Inotify()
        self.projectDirectory = projectDirectory
    }

    var isEmpty: Bool { directories.isEmpty }

    /// The number of inotify watches in place.
    var watchCount: Int { directories.count }

    /// One message when the watch limit (`fs.inotify.max_user_watches`) stopped some
    /// directories from being watched: how many were needed, and what to raise.
    var limitMessage: String? {
        guard let limitError, unwatched > 0 else { return nil }
        let needed = directories.count + unwatched
        return "\(limitError.context); \(needed) watches needed, \(directories.count) in place: changes in the other \(unwatched) director\(unwatched == 1 ? "y" : "ies") are not seen (e.g. sudo sysctl fs.inotify.max_user_watches=\(max(524_288, needed * 2)))"
    }

    /// Starts watching a process's paths; returns problems to report (missing paths).
    func watch(process: String, spec: WatchSpec) -> [String] {
        var problems: [String] = []
        for root in spec.paths {
            let repository = spec.gitignore ? repositoryRoot(for: root) : nil
            let subscriber = Subscriber(process: process, root: root, ignore: FileWatcher.defaultIgnore + spec.ignore, repository: repository)
            if Files.isDirectory(root) {
                if let problem = addTree(root, subscriber).problem { problems.append(problem) }
            } else if Files.exists(root) {
                var fileSubscriber = subscriber
                fileSubscriber.onlyName = PathText.lastComponent(root)
                fileSubscriber.root = PathText.parent(root)
                if let problem = add(fileSubscriber.root, fileSubscriber) { problems.append(problem) }
            } else {
                problems.append("\(process): cannot watch \(display(root)): No such file or directory")
            }
        }
        return problems
    }

    /// Watches the config file and the env files it reads (present or not yet).
    func watchConfig(_ files: [String]) {
        for file in files {
            let directory = PathText.parent(file)
            guard let wd = try? inotify.add(directory) else { continue }
            directories[wd, default: Directory(path: directory)].configNames.insert(PathText.lastComponent(file))
            configFiles.insert(file)
        }
    }

    /// Reads pending events; returns the changes that matter, in order.
    func changes() -> [Change] {
        var result: [Change] = []
        var revive = false
        var rescans: [(String, Subscriber)] = []
        for event in inotify.read() {
            if event.overflow {
                let processes = Set(directories.values.flatMap { $0.subscribers.map(\.process) })
                result += processes.sorted().map { .process($0, path: "(too many changes to list)", removed: false) }
                if let config = configFiles.sorted().first { result.append(.config(path: display(config))) }
                continue
            }
            guard let directory = directories[event.watch] else { continue }
            if event.watchRemoved {
                directories.removeValue(forKey: event.watch)
                // A deleted watch root is waited for; deeper directories come back with it.
                for subscriber in directory.subscribers where subscriber.root == directory.path { missing.append(subscriber) }
                revive = true
                continue
            }
            if directory.sentinel { revive = true }
            guard !event.name.isEmpty else { continue }
            let full = Path.join(directory.path, event.name)
            if directory.configNames.contains(event.name) && !event.isDirectory {
                result.append(.config(path: display(full)))
            }
            if event.name == ".gitignore" {
                for tree in ignoreTrees.values { tree.invalidate(directory.path) }
            }
            for subscriber in directory.subscribers {
                if let only = subscriber.onlyName {
                    if only == event.name { result.append(.process(subscriber.process, path: display(full), removed: event.removed)) }
                    continue
                }
                if configFiles.contains(full) || isIgnored(full, isDirectory: event.isDirectory, subscriber, checkingParents: true) { continue }
                if event.name == ".gitignore" && subscriber.repository != nil { rescans.append((directory.path, subscriber)) }
                if event.isDirectory {
                    if event.isNewDirectory {
                        // An empty directory is not a change; a file in it is (it may have
                        // been written before the new watch was in place).
                        if let file = addTree(full, subscriber, lookingForFile: true).firstFile {
                            result.append(.process(subscriber.process, path: display(file), removed: false))
                        }
                    } else if event.renamedAway {
                        result.append(.process(subscriber.process, path: display(full), removed: true))
                    }
                    continue
                }
                result.append(.process(subscriber.process, path: display(full), removed: event.removed))
            }
        }
        // A changed .gitignore may un-ignore directories: watch what is now included.
        for (path, subscriber) in rescans where Files.isDirectory(path) { _ = addTree(path, subscriber) }
        if revive { result += reviveMissing() }
        return result
    }

    // MARK: - Watching

    /// Watches `top` and every directory below it that is not ignored, without
    /// recursion (the tree is the user's). With `lookingForFile`, also returns the
    /// first file found that is not ignored.
    private func addTree(_ top: String, _ subscriber: Subscriber, lookingForFile: Bool = false) -> (problem: String?, firstFile: String?) {
        var firstProblem: String?
        var firstFile: String?
        var pending = [top]
        while let directory = pending.popLast() {
            // A directory below `top` removed since it was listed is a race, not a problem.
            if let problem = add(directory, subscriber, missingIsFine: directory != top), firstProblem == nil { firstProblem = problem }
            guard let entries = Files.entries(of: directory) else { continue }
            for entry in entries {
                let child = Path.join(directory, entry.name)
                if !entry.isDirectory && (!lookingForFile || firstFile != nil) { continue }
                if configFiles.contains(child) || isIgnored(child, isDirectory: entry.isDirectory, subscriber) { continue }
                if entry.isDirectory { pending.append(child) } else { firstFile = child }
            }
        }
        return (firstProblem, firstFile)
    }

    private func add(_ path: String, _ subscriber: Subscriber, missingIsFine: Bool = false) -> String? {
        if limitError != nil {
            unwatched += 1
            return nil
        }
        do {
            let wd = try inotify.add(path)
            var entry = directories[wd] ?? Directory(path: path)
            if !entry.subscribers.contains(subscriber) { entry.subscribers.append(subscriber) }
            directories[wd] = entry
            return nil
        } catch {
            if error.isWatchLimit {
                limitError = error
                unwatched += 1
                return nil
            }
            if missingIsFine && error.isMissingPath { return nil }
            return "\(subscriber.process): cannot watch \(display(path)): \(error.reason)"
        }
    }

    /// Watches again the roots that came back; waits, from the nearest existing
    /// parent, for those still gone. Returns a change per root that came back with a file.
    private func reviveMissing() -> [Change] {
        var result: [Change] = []
        let waiting = missing
        missing = []
        for subscriber in waiting {
            guard waitForRoot(subscriber.root) else {
                missing.append(subscriber)
                continue
            }
            let found = addTree(subscriber.root, subscriber, lookingForFile: subscriber.onlyName == nil)
            if let only = subscriber.onlyName {
                let file = subscriber.root + "/" + only
                if Files.exists(file) { result.append(.process(subscriber.process, path: display(file), removed: false)) }
            } else if let file = found.firstFile {
                result.append(.process(subscriber.process, path: display(file), removed: false))
            }
        }
        if missing.isEmpty {
            for (wd, entry) in directories where entry.sentinel {
                if entry.subscribers.isEmpty && entry.configNames.isEmpty {
                    directories.removeValue(forKey: wd)
                    inotify.remove(wd)
                } else {
                    directories[wd]?.sentinel = false
                }
            }
        }
        return result
    }

    /// Whether `root` is there; if not, watches its nearest existing parent for it.
    /// Directories created while that watch was being added are not missed: the
    /// nearest parent is looked for again until it holds still.
    /// A parent deleted between the look and the watch (a `rm -rf` still running)
    /// is looked for again, higher up: giving up there would leave nothing watching
    /// for the root, and it would never be watched again.
    private func waitForRoot(_ root: String) -> Bool {
        var watched: String?
        var failedWatches = 0
        while !Files.isDirectory(root) {
            var current = PathText.parent(root)
            while current != "/" && !Files.isDirectory(current) { current = PathText.parent(current) }
            if current == watched { return false }
            guard let wd = try? inotify.add(current) else {
                failedWatches += 1
                if failedWatches < 64 { continue }
                return false
            }
            directories[wd, default: Directory(path: current)].sentinel = true
            watched = current
        }
        return true
    }

    // MARK: - Ignoring

    /// With `checkingParents`, the directories between the watch root and the path
    /// count too: one a `.gitignore` saved after it was watched may ignore it now.
    private func isIgnored(_ path: String, isDirectory: Bool, _ subscriber: Subscriber, checkingParents: Bool = false) -> Bool {
        if ignored(relativePath(path, to: subscriber.root), isDirectory: isDirectory, by: subscriber.ignore) { return true }
        guard let repository = subscriber.repository else { return false }
        let tree = ignoreTree(repository)
        if tree.isIgnored(path, isDirectory: isDirectory) { return true }
        guard checkingParents else { return false }
        var parent = PathText.parent(path)
        while parent.hasPrefix(subscriber.root + "/") {
            if tree.isIgnored(parent, isDirectory: true) { return true }
            parent = PathText.parent(parent)
        }
        return false
    }

    private func ignoreTree(_ repository: String) -> IgnoreTree {
        if let tree = ignoreTrees[repository] { return tree }
        let tree = IgnoreTree(root: repository)
        ignoreTrees[repository] = tree
        return tree
    }

    /// The repository a watched path belongs to: the nearest directory above it with a
    /// `.git`, else the project directory (whose `.gitignore` files still count).
    private func repositoryRoot(for path: String) -> String {
        var current = Files.isDirectory(path) ? path : PathText.parent(path)
        while true {
            if Files.exists(current + "/.git") { return current }
            if current == "/" || current.isEmpty { break }
            current = PathText.parent(current)
        }
        return projectDirectory
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

/// The ignore files of one repository, read as the watcher walks down and cached
/// per directory: `.git/info/exclude`, then each `.gitignore` from the root down.
final class IgnoreTree {
    let root: String
    private let exclude: GitIgnore
    /// Directory → the rules for the entries in it.
    private var cache: [String: GitIgnore] = [:]

    init(root: String) {
        self.root = root
        var exclude = GitIgnore()
        if let directory = IgnoreTree.gitDirectory(of: root), let bytes = Files.read(directory + "/info/exclude") {
            exclude.add(String(decoding: bytes, as: UTF8.self), base: "", source: ".git/info/exclude")
        }
        self.exclude = exclude
    }

    /// `.git`, or for a worktree or submodule (a `.git` file saying `gitdir: …`)
    /// the repository's common directory, where `info/exclude` lives.
    static func gitDirectory(of root: String) -> String? {
        let dotGit = root + "/.git"
        if Files.isDirectory(dotGit) { return dotGit }
        guard let bytes = Files.read(dotGit, limit: 4096) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let line = text.split(separator: "\n").first, line.hasPrefix("gitdir:") else { return nil }
        let target = line.dropFirst("gitdir:".count).trimmingCharacters(of: " \t\r")
        let gitDirectory = target.hasPrefix("/") ? target : root + "/" + target
        if let common = Files.read(gitDirectory + "/commondir", limit: 4096) {
            let relative = String(decoding: common, as: UTF8.self).trimmingCharacters(of: " \t\r\n")
            return relative.hasPrefix("/") ? relative : gitDirectory + "/" + relative
        }
        return gitDirectory
    }

    /// Whether git ignores `path` (absolute), its parent directories taken as not ignored.
    func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
        guard path.hasPrefix(root + "/") else { return false }
        let relative = String(path.dropFirst(root.count + 1))
        guard let pattern = rules(in: PathText.parent(path)).match(relative, isDirectory: isDirectory) else { return false }
        return !pattern.negated
    }

    /// Forgets the rules of `directory` and below, after its `.gitignore` changed.
    func invalidate(_ directory: String) {
        cache = cache.filter { $0.key != directory && !$0.key.hasPrefix(directory + "/") }
    }

    private func rules(in directory: String) -> GitIgnore {
        if let cached = cache[directory] { return cached }
        var chain: [String] = []
        var current = directory
        var rules = exclude
        while true {
            if let cached = cache[current] {
                rules = cached
                break
            }
            chain.append(current)
            guard current != root, current.hasPrefix(root + "/") else { break }
            current = PathText.parent(current)
        }
        for directory in chain.reversed() {
            if directory == root || directory.hasPrefix(root + "/"), let bytes = Files.read(directory + "/.gitignore") {
                let base = directory == root ? "" : String(directory.dropFirst(root.count + 1))
                rules.add(String(decoding: bytes, as: UTF8.self), base: base, source: (base.isEmpty ? "" : base + "/") + ".gitignore")
            }
            cache[directory] = rules
        }
        return rules
    }
}

/// Path text, without touching the file system.
enum PathText {
    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func lastComponent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

extension Substring {
    func trimmingCharacters(of set: String) -> String {
        String(drop { set.contains($0) }.reversed().drop { set.contains($0) }.reversed())
    }
}

extension String {
    func trimmingCharacters(of set: String) -> String { self[...].trimmingCharacters(of: set) }
}
