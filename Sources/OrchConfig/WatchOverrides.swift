/// `orch up --watch NAME=PATH[,PATH…]` (repeatable) and `--no-watch`: watching for
/// a Procfile project, or for one run of an orch.yaml. Paths are relative to the
/// project directory. Applied again to every reloaded config, so a reload does not
/// see them as a change.
public struct WatchOverrides: Sendable, Equatable {
    /// Process name → paths as written, in command-line order.
    public private(set) var watches: [(name: String, paths: [String])] = []
    /// `--no-watch`: drop every `watch:` of the config first.
    public var none: Bool

    public static func == (a: WatchOverrides, b: WatchOverrides) -> Bool {
        a.none == b.none && a.watches.map(\.name) == b.watches.map(\.name) && a.watches.map(\.paths) == b.watches.map(\.paths)
    }

    /// Parses the `--watch` values.
    public init(_ arguments: [String], none: Bool = false) throws(ConfigError) {
        self.none = none
        var problems: [ConfigDiagnostic] = []
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                problems.append(ConfigDiagnostic(file: "", message: "--watch '\(argument)': use NAME=PATH[,PATH…], e.g. --watch web=app,lib"))
                continue
            }
            let name = String(argument[..<equals])
            let paths = argument[argument.index(after: equals)...].split(separator: ",").map { String($0) }.filter { !$0.isEmpty }
            if name.isEmpty || paths.isEmpty {
                problems.append(ConfigDiagnostic(file: "", message: "--watch '\(argument)': needs a process name and at least one path, e.g. --watch web=app,lib"))
                continue
            }
            if let existing = watches.firstIndex(where: { $0.name == name }) {
                watches[existing].paths += paths
            } else {
                watches.append((name, paths))
            }
        }
        if !problems.isEmpty { throw ConfigError(diagnostics: problems) }
    }

    /// Sets the watches on `spec`; a name that is not a process is an error.
    public func apply(to spec: inout ProjectSpec) throws(ConfigError) {
        if none {
            for i in spec.processes.indices { spec.processes[i].watch = nil }
        }
        var problems: [ConfigDiagnostic] = []
        let names = spec.processes.map(\.name)
        for (name, paths) in watches {
            guard let i = spec.processes.firstIndex(where: { $0.name == name }) else {
                problems.append(ConfigDiagnostic(file: "", message: "--watch: no process named '\(name)'\(Suggestion.hint(for: name, in: names))"))
                continue
            }
            var watch = spec.processes[i].watch ?? WatchSpec(paths: [])
            watch.paths = (none ? [] : watch.paths) + paths.map { Path.absolute($0, relativeTo: spec.directory) }
            spec.processes[i].watch = watch
        }
        if !problems.isEmpty { throw ConfigError(diagnostics: problems) }
    }
}
