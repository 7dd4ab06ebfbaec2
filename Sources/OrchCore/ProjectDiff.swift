import OrchConfig

/// What changed between two resolutions of a project, process by process. The
/// core's reload acts on it and the reload report prints it, so the two agree.
/// Where a process is defined in the file (`line`) is not a change; a change of
/// `replicas` alone is a scale, not a restart.
public struct ProjectDiff: Sendable, Equatable {
    /// In the new project only, in its order.
    public var added: [String] = []
    /// In the old project only, in its order.
    public var removed: [String] = []
    /// Changed in something other than `replicas`: its instances restart.
    public var changed: [String] = []
    /// Only `replicas` changed: (process, old count, new count).
    public var scaled: [(name: String, from: Int, to: Int)] = []
    public var unchanged: [String] = []

    public init(from old: ProjectSpec, to new: ProjectSpec) {
        var oldByName: [String: ProcessSpec] = [:]
        for process in old.processes { oldByName[process.name] = process }
        var newNames = Set<String>()
        for process in new.processes {
            newNames.insert(process.name)
            guard var previous = oldByName[process.name] else {
                added.append(process.name)
                continue
            }
            previous.line = process.line
            let replicas = previous.replicas
            previous.replicas = process.replicas
            if previous != process {
                changed.append(process.name)
            } else if replicas != process.replicas {
                scaled.append((process.name, replicas, process.replicas))
            } else {
                unchanged.append(process.name)
            }
        }
        removed = old.processes.map(\.name).filter { !newNames.contains($0) }
    }

    public static func == (a: ProjectDiff, b: ProjectDiff) -> Bool {
        a.added == b.added && a.removed == b.removed && a.changed == b.changed && a.unchanged == b.unchanged
            && a.scaled.map(\.name) == b.scaled.map(\.name) && a.scaled.map(\.from) == b.scaled.map(\.from)
            && a.scaled.map(\.to) == b.scaled.map(\.to)
    }
}
