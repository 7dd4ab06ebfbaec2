import OrchConfig

/// Changes seen for one process, acted on once its debounce has passed.
struct PendingChange: Sendable {
    var due: Instant
    /// Paths in the order they first changed.
    var paths: [String]
    /// Paths whose last event was a removal (deleted or renamed away): an editor's
    /// temporary file (`sedDqfuBw`, `4913`) ends that way, the file it saved does not.
    var removed: Set<String>

    /// The path to name in the message: the first one still there, else the first.
    var shown: (path: String, others: Int) {
        let kept = paths.filter { !removed.contains($0) }
        if let first = kept.first { return (first, kept.count - 1) }
        return (paths[0], paths.count - 1)
    }
}

/// The restart-loop guard: how many restarts by file change within which window
/// pause a process's watching.
public struct LoopGuard: Sendable, Equatable {
    public var restarts: Int
    public var window: Duration
    public init(restarts: Int = 5, window: Duration = .seconds(10)) {
        self.restarts = restarts
        self.window = window
    }
}

/// File watching: debounce, the restart-loop guard, config reloads on save. Time is
/// the `now` handed in, so the guard's window is tested without waiting.
extension Supervisor {
    /// Debounce between a save of the config (or an env file) and the reload: an
    /// editor's save is several events, and a half-written file must not be read.
    public static let configDebounce = Duration.milliseconds(200)

    mutating func fileChanged(_ process: String, path: String, removed: Bool, now: Instant) {
        guard !shuttingDown, let spec = spec(named: process), let watch = spec.watch else { return }
        if let looping = pausedWatches[process] {
            // The files that kept changing are what the process writes itself; another
            // file is the user saving, which resumes watching.
            if looping.contains(path) || removed { return }
            pausedWatches[process] = nil
            watchRestarts[process] = nil
        }
        var change = pendingChanges[process] ?? PendingChange(due: now + watch.debounce, paths: [], removed: [])
        if !change.paths.contains(path) { change.paths.append(path) }
        if removed { change.removed.insert(path) } else { change.removed.remove(path) }
        pendingChanges[process] = change
    }

    mutating func configChanged(_ path: String, now: Instant) {
        guard !shuttingDown else { return }
        if pendingReload == nil { pendingReload = (now + Supervisor.configDebounce, path) }
    }

    /// Restarts what is due, and asks for the config reload when its debounce passed.
    mutating func fireDueChanges(_ now: Instant, _ effects: inout [Effect]) {
        for (process, change) in pendingChanges.sorted(by: { $0.key < $1.key }) where change.due <= now {
            pendingChanges.removeValue(forKey: process)
            let shown = change.shown
            restartForChange(process, path: shown.path, others: shown.others, now: now, &effects)
        }
        if let reload = pendingReload, reload.due <= now {
            pendingReload = nil
            if !shuttingDown { effects.append(.reloadConfig(changed: reload.path)) }
        }
    }

    /// A watched file changed: restart what runs (each new instance once the old
    /// group is gone), start again what ended on its own; leave alone what was
    /// stopped on request. Too many of these in the guard's window pause watching.
    mutating func restartForChange(_ process: String, path: String, others: Int, now: Instant, _ effects: inout [Effect]) {
        guard !shuttingDown else { return }
        let names = instances.filter { $0.process == process && !$0.retired && !$0.stoppedOnRequest }.map(\.name)
        guard !names.isEmpty else { return }
        var recent = (watchRestarts[process] ?? []).filter { now - $0.at < loopGuard.window }
        recent.append((now, path))
        watchRestarts[process] = recent
        if recent.count > loopGuard.restarts {
            var counts: [String: Int] = [:]
            for entry in recent { counts[entry.path, default: 0] += 1 }
            let most = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? path
            pausedWatches[process] = Set(counts.keys)
            watchRestarts[process] = nil
            effects.append(.event(.watchPaused(process: process, path: most, restarts: loopGuard.restarts, window: loopGuard.window)))
            return
        }
        effects.append(.event(.changed(process: process, path: path, others: others)))
        handle(.restart(names), now: now, &effects)
    }

    /// `orch ctl restart`: the user is back in charge of the process, its watching resumes.
    mutating func resumeWatching(_ names: [String]) {
        for name in names {
            let process = instance(named: name)?.process ?? name
            if pausedWatches.removeValue(forKey: process) != nil { watchRestarts[process] = nil }
        }
    }

    /// Whether a process's watching is paused by the loop guard.
    public func watchingPaused(_ process: String) -> Bool { pausedWatches[process] != nil }
}
