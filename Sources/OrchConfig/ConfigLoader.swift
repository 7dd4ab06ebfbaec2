import OrchSystem

/// What the command line says about where and how to load the configuration.
public struct LoadOptions: Sendable {
    /// `-f FILE`, relative to `workingDirectory`; nil = discover.
    public var file: String?
    /// Where discovery starts and relative `-f`/`-e` paths are resolved (absolute).
    public var workingDirectory: String
    /// `-e FILE…`, relative to `workingDirectory`; nil = `.env` beside the config
    /// when present. A non-nil list replaces that `.env`.
    public var envFiles: [String]?
    /// `-m`, from `Formation.parse`; the key `all` is the default for every process.
    public var formation: [String: Int]
    /// `-p`: the first process's PORT.
    public var basePort: Int?
    /// orch's own environment, which every process inherits.
    public var environment: [String: String]
    /// `--timeout`: every process's stop timeout.
    public var stopTimeout: Duration?
    /// `--port`: the control port, over ORCH_PORT and `control.port`.
    public var controlPort: Int?

    public init(
        file: String? = nil,
        workingDirectory: String = ProcessEnvironment.workingDirectory(),
        envFiles: [String]? = nil,
        formation: [String: Int] = [:],
        basePort: Int? = nil,
        environment: [String: String] = ProcessEnvironment.current(),
        stopTimeout: Duration? = nil,
        controlPort: Int? = nil
    ) {
        self.stopTimeout = stopTimeout
        self.controlPort = controlPort
        self.file = file
        self.workingDirectory = workingDirectory
        self.envFiles = envFiles
        self.formation = formation
        self.basePort = basePort
        self.environment = environment
    }
}

/// A loaded project, with the problems that did not stop it loading.
public struct LoadResult: Sendable {
    public var spec: ProjectSpec
    /// Problems that did not stop the load: skipped `.env` lines, a missing cwd, …
    public var warnings: [ConfigDiagnostic]

    public init(spec: ProjectSpec, warnings: [ConfigDiagnostic] = []) {
        self.spec = spec
        self.warnings = warnings
    }
}

/// Finds, reads and validates the configuration (Procfile or orch.yaml) and
/// resolves it into a `ProjectSpec`: environments merged, ports assigned,
/// paths made absolute, dependencies checked.
///
/// Environment precedence, highest first:
/// 1. the process's `env` (values interpolated in order, so a key may use an earlier one),
/// 2. the process's `env_file` files (later files win),
/// 3. the top-level `env`,
/// 4. the `-e` files, or `.env` beside the config when no `-e` is given,
/// 5. the top-level `env_file` files,
/// 6. orch's own environment.
///
/// PORT follows foreman: a process whose own `env`/`env_file` sets PORT keeps it
/// (`port` is nil). Otherwise the i-th process in file order (every process
/// counts, even with 0 replicas) gets base + 100·i, or its `port:`; the base is
/// `-p`, else PORT from the config-level layers (3–5), else PORT from orch's own
/// environment, else 5000. Those base PORTs are not passed on as they are:
/// `ProcessSpec.instance` sets each instance's PORT.
///
/// Relative paths: `cwd`, `env_file` and `control.socket` resolve against the
/// config's directory; `watch` paths and `log.file` against the process's cwd;
/// `-f` and `-e` against the working directory.
public enum ConfigLoader {
    /// The names discovery looks for, in order, in each directory.
    public static let fileNames = ["orch.yaml", "orch.yml", "Procfile"]

    /// The first of `fileNames` in `directory`, then in each parent up to `/`, like git.
    public static func discover(from directory: String) -> String? {
        var current = Path.normalize(Path.absolute(directory, relativeTo: ProcessEnvironment.workingDirectory()))
        while true {
            for name in fileNames {
                // Anything there but a directory is the config: if it is a FIFO or a
                // symlink loop, reading it says so rather than looking further up.
                let candidate = Path.join(current, name)
                if FileSystem.isPresent(candidate) && !FileSystem.isDirectory(candidate) { return candidate }
            }
            guard current != "/" else { return nil }
            current = Path.directory(of: current)
        }
    }

    /// Whether a config file is orch.yaml rather than a Procfile: its name has a
    /// `yaml` or `yml` part, so `orch.yaml`, `ci.yml` and also `orch.yaml.example`
    /// or `orch.yml.dist` read as YAML, while `Procfile.dev` stays a Procfile.
    public static func isYAML(_ path: String) -> Bool {
        let name = path.split(separator: "/").last ?? Substring(path)
        return name.split(separator: ".").dropFirst().contains { $0 == "yaml" || $0 == "yml" }
    }

    /// Loads and validates the config that `options` name or discovery finds.
    /// Throws every problem found (not just the first), each with file, line and column.
    public static func load(_ options: LoadOptions) throws(ConfigError) -> LoadResult {
        var loader = Loader(options: options)
        var result = try loader.load()
        try applyCommandLine(options, to: &result.spec)
        return result
    }
}

/// One load: the options, and the problems found so far.
struct Loader {
    let options: LoadOptions
    let workingDirectory: String
    var errors: [ConfigDiagnostic] = []
    var warnings: [ConfigDiagnostic] = []
    /// Processes past the last port foreman's rule can give.
    var portless: [String] = []
    /// Env files already read, so a file named twice (`env_file: [.env]` beside the
    /// default `.env`) is read, and warned about, once.
    var envFileCache: [String: [(String, String)]] = [:]
    /// The config-level variables (layers 3-5) without PORT, for `configuredEnvironment`.
    var configLevel: [String: String] = [:]
    /// Every env file the config reads (or would read once it exists), for the
    /// watcher that reloads the config when one is saved.
    var envFilesRead: [String] = []
    /// The same, as a set: 10 000 processes with their own env files must not cost 10 000² comparisons.
    var envFilesSeen: Set<String> = []
    /// Candidates the did-you-mean searches of this load may still look at.
    var suggestionBudget = 500_000
    /// What each cwd seen is: most processes share one.
    var directories: [String: WorkingDirectory] = [:]

    init(options: LoadOptions) {
        self.options = options
        self.workingDirectory = Path.normalize(Path.absolute(options.workingDirectory, relativeTo: ProcessEnvironment.workingDirectory()))
    }

    /// How a path is shown in messages: relative to the working directory when beneath it.
    func display(_ path: String) -> String {
        Path.display(path, from: workingDirectory)
    }

    mutating func load() throws(ConfigError) -> LoadResult {
        let configPath = try locateConfig()
        let configFile = display(configPath)
        let directory = Path.directory(of: configPath)
        if options.file == nil { noteOtherConfigs(beside: configPath, directory: directory) }
        let text: String
        switch FileSystem.read(configPath) {
        case .success(let contents): text = contents
        case .failure(let problem): throw ConfigError(ConfigDiagnostic(file: configFile, message: problem.message))
        }

        var raw: RawProject
        if ConfigLoader.isYAML(configPath) {
            let (project, diagnostics) = YAMLReader.read(text, file: configFile)
            errors += diagnostics
            guard let project else { throw ConfigError(diagnostics: Self.sorted(errors)) }
            raw = project
        } else {
            raw = RawProject()
            do {
                for entry in try Procfile.parse(text, file: configFile) {
                    raw.processes.append(RawProject.Process(
                        name: entry.name, location: .init(line: entry.line, column: 1), command: entry.command, restart: RestartPolicy.no
                    ))
                }
            } catch {
                errors += error.diagnostics
            }
        }

        // Config-level environment, lowest layer first.
        var base = options.environment
        base["ORCH_PROCESS_NAME"] = nil
        var global = base
        var configSet: [String: String] = [:]
        for file in raw.envFiles {
            let path = Path.absolute(file.path, relativeTo: directory)
            let missing = ConfigDiagnostic(file: configFile, line: file.location.line, column: file.location.column, message: "env_file '\(file.path)': no such file (\(path))")
            for (key, value) in readEnvFile(path, missing: missing) { global[key] = value; configSet[key] = value }
        }
        if let files = options.envFiles {
            for file in files {
                let path = Path.absolute(file, relativeTo: workingDirectory)
                let missing = ConfigDiagnostic(file: display(path), message: "env file given with -e: no such file")
                for (key, value) in readEnvFile(path, missing: missing) { global[key] = value; configSet[key] = value }
            }
        } else {
            let path = Path.join(directory, ".env")
            if FileSystem.isPresent(path) && !FileSystem.isDirectory(path) {
                for (key, value) in readEnvFile(path, missing: nil) { global[key] = value; configSet[key] = value }
            } else {
                envFilesRead.append(path)  // created later, it is read on the next reload
            }
        }
        for entry in raw.env {
            let value = Interpolation.expand(entry.value, global)
            global[entry.key] = value
            configSet[entry.key] = value
        }

        let basePort = resolveBasePort(configSet: configSet, inherited: base["PORT"], configFile: configFile)
        global["PORT"] = nil
        configLevel = configSet
        configLevel["PORT"] = nil
        checkFormation(names: raw.processes.map(\.name))

        var processes: [ProcessSpec] = []
        processes.reserveCapacity(raw.processes.count)
        for (index, process) in raw.processes.enumerated() {
            processes.append(resolve(process, index: index, basePort: basePort, global: global, directory: directory, configFile: configFile))
        }
        checkDependencies(raw.processes, resolved: processes, configFile: configFile)
        warnPortOverlaps(processes, configFile: configFile)
        if let first = portless.first {
            let names = portless.count == 1 ? "process '\(first)' gets" : "\(portless.count) processes ('\(first)' to '\(portless[portless.count - 1])') get"
            warnings.append(ConfigDiagnostic(file: configFile, message: "\(names) no PORT: base \(basePort) + 100 per process passes 65535; lower the base port (-p) if they need one"))
        }

        var control = raw.control
        if let socket = control.socket {
            control.socket = Path.absolute(Path.expandingTilde(Interpolation.expand(socket, global), home: global["HOME"]), relativeTo: directory)
        }
        validate(raw, processes, control: control, configFile: configFile)
        guard errors.isEmpty else { throw ConfigError(diagnostics: Self.sorted(errors)) }
        var spec = ProjectSpec(directory: directory, configFile: configPath, processes: processes, control: control)
        spec.environment = global
        spec.basePort = basePort
        spec.sourceFiles = [configPath] + envFilesRead.filter { $0 != configPath }
        spec.reload = raw.reload
        return LoadResult(spec: spec, warnings: warnings)
    }

    /// Diagnostics in reading order: grouped by file (in order of first appearance),
    /// then by line and column; those without a line come first in their file.
    static func sorted(_ diagnostics: [ConfigDiagnostic]) -> [ConfigDiagnostic] {
        var fileOrder: [String: Int] = [:]
        for diagnostic in diagnostics where fileOrder[diagnostic.file] == nil { fileOrder[diagnostic.file] = fileOrder.count }
        return diagnostics.enumerated().sorted { left, right in
            let a = left.element, b = right.element
            let keyA = (fileOrder[a.file] ?? 0, a.line ?? 0, a.column ?? 0, left.offset)
            let keyB = (fileOrder[b.file] ?? 0, b.line ?? 0, b.column ?? 0, right.offset)
            return keyA < keyB
        }.map(\.element)
    }

    /// Discovery took the first of `fileNames`; a user with both an orch.yaml and a
    /// Procfile should not have to guess which one runs.
    mutating func noteOtherConfigs(beside configPath: String, directory: String) {
        let others = ConfigLoader.fileNames.filter { Path.join(directory, $0) != configPath && FileSystem.isFile(Path.join(directory, $0)) }
        guard let first = others.first else { return }
        let used = display(configPath)
        let option = display(Path.join(directory, first))
        warnings.append(ConfigDiagnostic(
            file: "",
            message: "using \(used); the \(others.joined(separator: " and ")) beside it \(others.count == 1 ? "is" : "are") ignored (-f \(option) runs \(others.count == 1 ? "it" : "that one"))"))
    }

    func locateConfig() throws(ConfigError) -> String {
        if let file = options.file {
            let path = Path.absolute(file, relativeTo: workingDirectory)
            if FileSystem.isDirectory(path) {
                throw ConfigError(ConfigDiagnostic(file: ConfigDiagnostic.excerpt(file), message: "is a directory, not a config file"))
            }
            guard FileSystem.isPresent(path) else {
                throw ConfigError(ConfigDiagnostic(file: ConfigDiagnostic.excerpt(file), message: "no such file"))
            }
            return path
        }
        guard let found = ConfigLoader.discover(from: workingDirectory) else {
            throw ConfigError(ConfigDiagnostic(
                file: "",
                message: "no orch.yaml, orch.yml or Procfile in \(workingDirectory) or its parents: create one, or name one with -f"
            ))
        }
        return found
    }

    /// The pairs of a `.env` file, in order; a missing file is reported with
    /// `missing`, or ignored when it is nil.
    mutating func readEnvFile(_ path: String, missing: ConfigDiagnostic?) -> [(String, String)] {
        if envFilesSeen.insert(path).inserted { envFilesRead.append(path) }
        guard FileSystem.isPresent(path) else {
            if let missing { errors.append(missing) }
            return []
        }
        if let cached = envFileCache[path] { return cached }
        switch FileSystem.read(path) {
        case .success(let text):
            let parsed = Dotenv.parse(text, file: display(path))
            warnings += parsed.warnings
            errors += parsed.errors
            envFileCache[path] = parsed.values
            return parsed.values
        case .failure(let problem):
            errors.append(ConfigDiagnostic(file: display(path), message: problem.message))
            return []
        }
    }

    mutating func resolveBasePort(configSet: [String: String], inherited: String?, configFile: String) -> Int {
        if let port = options.basePort {
            guard (1...65535).contains(port) else {
                errors.append(ConfigDiagnostic(file: "", message: "-p: the base port must be between 1 and 65535, got \(port)"))
                return 5000
            }
            return port
        }
        if let text = configSet["PORT"] {
            guard let port = Int(text.trimmingWhitespace()), (1...65535).contains(port) else {
                errors.append(ConfigDiagnostic(file: configFile, message: "PORT '\(text)' set by the config's environment is not a port number (1-65535)"))
                return 5000
            }
            return port
        }
        if let text = inherited {
            guard let port = Int(text.trimmingWhitespace()), (1...65535).contains(port) else {
                warnings.append(ConfigDiagnostic(file: "", message: "PORT '\(text)' in orch's environment is not a port number; using 5000"))
                return 5000
            }
            return port
        }
        return 5000
    }

    /// A did-you-mean within the load's budget of candidates looked at: only the
    /// first errors are shown, and 10 000 unknown names must not cost 10 000
    /// searches through 10 000 candidates.
    mutating func suggestion(for word: String, in candidates: Suggestion.Candidates) -> String? {
        guard suggestionBudget >= candidates.count else { return nil }
        suggestionBudget -= candidates.count
        return Suggestion.nearest(to: word, in: candidates)
    }

    mutating func checkFormation(names: [String]) {
        // Most loads have no -m: no set of names, no did-you-mean candidates.
        let given = options.formation.keys.filter { $0 != Formation.all }
        guard !given.isEmpty else { return }
        let known = Set(names)
        let candidates = Suggestion.Candidates(names)
        for name in options.formation.keys.sorted() where name != Formation.all && !known.contains(name) {
            let hint = suggestion(for: name, in: candidates).map { " (did you mean '\($0)'?)" } ?? Suggestion.listing(names)
            errors.append(Formation.problem("unknown process '\(name)'\(hint)"))
        }
    }

    mutating func resolve(_ process: RawProject.Process, index: Int, basePort: Int, global: [String: String], directory: String, configFile: String) -> ProcessSpec {
        let defaultPort = process.port ?? Self.foremanPort(base: basePort, index: index)
        var own: [String: String] = [:]
        var perInstance: [String: String] = [:]
        // The environment is copied only for a process that changes it: 100 000
        // processes that do not must not cost 100 000 copies of orch's environment.
        if !process.envFiles.isEmpty || !process.env.isEmpty {
            // What `env` values see: what the process set so far, its PORT, the
            // config's and orch's environment; looked up in that order, not merged.
            let portText = String(defaultPort)
            func lookup(_ name: String) -> String? { own[name] ?? (name == "PORT" ? portText : global[name]) }
            for file in process.envFiles {
                let path = Path.absolute(file.path, relativeTo: directory)
                let missing = ConfigDiagnostic(
                    file: configFile, line: file.location.line, column: file.location.column,
                    message: "env_file '\(file.path)' of process '\(process.name)': no such file (\(path))"
                )
                for (key, value) in readEnvFile(path, missing: missing) { own[key] = value }
            }
            for entry in process.env {
                let value = Interpolation.expand(entry.value, value: lookup)
                own[entry.key] = value
                // A value that uses PORT or ORCH_PROCESS_NAME differs per replica.
                if entry.value.containsBytes("PORT") || entry.value.containsBytes("ORCH_PROCESS_NAME") { perInstance[entry.key] = entry.value }
            }
        }
        var environment = global
        if !own.isEmpty { environment.merge(own) { $1 } }
        if environment["ORCH_PROCESS_NAME"] != nil { environment["ORCH_PROCESS_NAME"] = nil }
        var port: Int?
        if own["PORT"] != nil {
            if process.port != nil {
                warnings.append(ConfigDiagnostic(
                    file: configFile, line: process.portLocation.line, column: process.portLocation.column,
                    message: "'port' in process '\(process.name)' is ignored: its environment sets PORT"
                ))
            }
        } else {
            port = defaultPort
            if environment["PORT"] != nil { environment["PORT"] = nil }
        }
        // What paths are interpolated with; a copy only when some path is written.
        var local = environment
        if let port, process.cwd != nil || process.watch != nil || process.log != nil { local["PORT"] = String(port) }

        let cwd = Path.absolute(Path.expandingTilde(Interpolation.expand(process.cwd ?? ".", local), home: local["HOME"]), relativeTo: directory)
        let cwdLocation = process.cwd == nil ? process.location : process.cwdLocation
        switch workingDirectory(cwd) {
        case .directory:
            break
        case .absent:
            // A job that runs first may still create it.
            warnings.append(ConfigDiagnostic(
                file: configFile, line: cwdLocation.line, column: cwdLocation.column,
                message: "cwd of process '\(process.name)' is not a directory: \(cwd)"
            ))
        case .file(let kind):
            // chdir(2) there fails with ENOTDIR on every start: nothing makes a file a directory.
            errors.append(ConfigDiagnostic(
                file: configFile, line: cwdLocation.line, column: cwdLocation.column,
                message: "cwd of process '\(process.name)' is \(kind), not a directory: \(cwd); point cwd at a directory"
            ))
        }
        func path(_ text: String) -> String {
            Path.absolute(Path.expandingTilde(Interpolation.expand(text, local), home: local["HOME"]), relativeTo: cwd)
        }
        var watch = process.watch
        if let original = process.watch {
            watch?.paths = original.paths.map(path)
            watch?.ignore = original.ignore.map { Interpolation.expand($0, local) }
        }
        var log = process.log
        if let file = log?.file { log?.file = path(file) }

        let replicas = options.formation[process.name] ?? process.replicas ?? options.formation[Formation.all] ?? 1
        if let given = port, given > 65535 - (Swift.max(replicas, 1) - 1) {
            if process.port != nil {
                errors.append(ConfigDiagnostic(
                    file: configFile, line: process.location.line, column: process.location.column,
                    message: "process '\(process.name)': PORT \(given)\(replicas > 1 ? "-\(given + replicas - 1)" : "") goes past 65535; lower its port"
                ))
            } else {
                // foreman's base+100·i runs out after a few hundred processes: those
                // just get no PORT (one warning for all of them, after the loop).
                portless.append(process.name)
                port = nil
            }
        }
        var spec = ProcessSpec(
            name: process.name, command: process.command, cwd: cwd, environment: environment, port: port,
            kind: process.kind, replicas: replicas, restart: process.restart ?? (process.kind == .service ? .onFailure : .no),
            backoff: process.backoff, maxRestarts: process.maxRestarts, dependsOn: process.dependsOn.map(\.dependency),
            ready: process.ready, stop: process.stop, optional: process.optional, watch: watch, pty: process.pty,
            log: log, line: process.location.line ?? 0
        )
        spec.instanceEnvironment = perInstance
        spec.timeout = process.timeout
        spec.autostart = process.autostart
        // Shared, not copied, by the processes that set nothing of their own.
        spec.configuredEnvironment = own.isEmpty ? configLevel : configLevel.merging(own) { $1 }
        return spec
    }

    /// What a cwd is: a directory; something else, which the process can never
    /// start in; or nothing (yet) that stat(2) can see.
    enum WorkingDirectory: Equatable {
        case directory
        /// "a regular file", "a FIFO", …
        case file(String)
        case absent
    }

    mutating func workingDirectory(_ path: String) -> WorkingDirectory {
        if let known = directories[path] { return known }
        let answer: WorkingDirectory
        switch Files.status(path) {
        case .success(.directory): answer = .directory
        case .success(.other): answer = .file("an unknown kind of file")
        case .success(let kind): answer = .file(kind.description)
        case .failure: answer = .absent
        }
        directories[path] = answer
        return answer
    }

    /// foreman's base + 100·i, checked: past Int's range it is simply past 65535
    /// (and such a process gets no PORT).
    static func foremanPort(base: Int, index: Int) -> Int {
        let offset = index.multipliedReportingOverflow(by: 100)
        let sum = base.addingReportingOverflow(offset.partialValue)
        return offset.overflow || sum.overflow ? Int.max : sum.partialValue
    }

    /// More than 100 replicas reach the next process's PORT (base + 100·i): say so.
    mutating func warnPortOverlaps(_ processes: [ProcessSpec], configFile: String) {
        // Sorted by PORT, so each process finds the next one up by binary search
        // (10 000 processes with replicas must not cost 10 000² comparisons).
        let ports = processes.compactMap { p in p.port.map { (p.name, $0) } }.sorted { $0.1 < $1.1 }
        for process in processes {
            guard let port = process.port, process.replicas > 1 else { continue }
            let last = port + process.replicas - 1
            var low = 0, high = ports.count
            while low < high {
                let middle = low + (high - low) / 2
                if ports[middle].1 > port { high = middle } else { low = middle + 1 }
            }
            guard low < ports.count, ports[low].1 <= last else { continue }
            let other = ports[low]
            warnings.append(ConfigDiagnostic(
                file: configFile, line: process.line,
                message: "process '\(process.name)': its \(process.replicas) replicas use PORT \(port)-\(last), which includes the PORT of '\(other.0)' (\(other.1)); give '\(process.name)' its own `port:` or fewer replicas"))
        }
    }

    mutating func checkDependencies(_ raw: [RawProject.Process], resolved: [ProcessSpec], configFile: String) {
        var byName: [String: Int] = [:]
        for (index, process) in resolved.enumerated() where byName[process.name] == nil { byName[process.name] = index }
        let names = resolved.map(\.name)
        // Prepared on the first unknown name only.
        var candidates: Suggestion.Candidates?
        // Edges that name a real, other process: the graph the cycle check walks.
        var edges: [[(target: Int, location: RawProject.Location)]] = Array(repeating: [], count: raw.count)
        for (index, process) in raw.enumerated() {
            for entry in process.dependsOn {
                let dependency = entry.dependency
                func fail(_ message: String) {
                    errors.append(ConfigDiagnostic(file: configFile, line: entry.location.line, column: entry.location.column, message: message))
                }
                if dependency.name == process.name {
                    fail("process '\(process.name)' depends on itself")
                    continue
                }
                guard let target = byName[dependency.name] else {
                    var hint = ""
                    let prepared = candidates ?? Suggestion.Candidates(names)
                    candidates = prepared
                    if let match = suggestion(for: dependency.name, in: prepared), match != process.name {
                        hint = " (did you mean '\(match)'?)"
                    }
                    fail("process '\(process.name)' depends on unknown process '\(dependency.name)'\(hint)")
                    continue
                }
                edges[index].append((target, entry.location))
                let targetSpec = resolved[target]
                if (dependency.condition == .completed || dependency.condition == .succeeded) && targetSpec.kind == .service {
                    fail("process '\(process.name)' waits for '\(dependency.name)' to be \(dependency.condition.rawValue), but '\(dependency.name)' is a service: only jobs complete (use started or ready, or give '\(dependency.name)' kind: job)")
                }
                if targetSpec.replicas == 0 && resolved[index].replicas > 0 {
                    warnings.append(ConfigDiagnostic(
                        file: configFile, line: entry.location.line, column: entry.location.column,
                        message: "process '\(process.name)' depends on '\(dependency.name)', which has 0 replicas and will not start"
                    ))
                }
            }
        }
        for cycle in Self.cycles(edges.map { $0.map(\.target) }) {
            guard let first = cycle.first, cycle.count > 1 else { continue }
            let location = edges[first].first { $0.target == cycle[1] }?.location ?? raw[first].location
            // A long cycle is shown by its ends: the first few processes and the last.
            let shown = cycle.count <= 8 ? cycle + [first] : Array(cycle.prefix(6)) + [-1, cycle[cycle.count - 1], first]
            let path = shown.map { $0 < 0 ? "… (\(cycle.count - 7) more)" : names[$0] }.joined(separator: " -> ")
            errors.append(ConfigDiagnostic(file: configFile, line: location.line, column: location.column, message: "dependency cycle: \(path)"))
        }
    }

    /// One shortest cycle per strongly connected component (Tarjan's algorithm),
    /// starting at the component's first process in file order.
    static func cycles(_ graph: [[Int]]) -> [[Int]] {
        // Iterative: a 100 000-deep chain of depends_on must not exhaust the stack.
        var index = 0
        var indices = [Int?](repeating: nil, count: graph.count)
        var lowLinks = [Int](repeating: 0, count: graph.count)
        var onStack = [Bool](repeating: false, count: graph.count)
        var stack: [Int] = []
        var components: [[Int]] = []
        // The depth-first path: each node with the position of the next edge to follow.
        var path: [(node: Int, edge: Int)] = []
        for root in graph.indices where indices[root] == nil {
            path.append((root, 0))
            indices[root] = index
            lowLinks[root] = index
            index += 1
            stack.append(root)
            onStack[root] = true
            while let (node, edge) = path.last {
                if edge < graph[node].count {
                    path[path.count - 1].edge += 1
                    let next = graph[node][edge]
                    if let nextIndex = indices[next] {
                        if onStack[next] { lowLinks[node] = min(lowLinks[node], nextIndex) }
                    } else {
                        indices[next] = index
                        lowLinks[next] = index
                        index += 1
                        stack.append(next)
                        onStack[next] = true
                        path.append((next, 0))
                    }
                    continue
                }
                path.removeLast()
                if let parent = path.last?.node { lowLinks[parent] = min(lowLinks[parent], lowLinks[node]) }
                if lowLinks[node] == indices[node] {
                    var component: [Int] = []
                    while let top = stack.popLast() {
                        onStack[top] = false
                        component.append(top)
                        if top == node { break }
                    }
                    components.append(component)
                }
            }
        }

        var result: [[Int]] = []
        for component in components where component.count > 1 {
            let members = Set(component)
            guard let start = component.min() else { continue }
            // Breadth-first from start, within the component, back to start.
            var parent: [Int: Int] = [:]
            var queue = [start]
            var head = 0
            var last: Int?
            search: while head < queue.count {
                let node = queue[head]
                head += 1
                for next in graph[node] where members.contains(next) {
                    if next == start { last = node; break search }
                    if parent[next] == nil && next != start {
                        parent[next] = node
                        queue.append(next)
                    }
                }
            }
            guard var node = last else { continue }
            var cycle = [node]
            while node != start, let previous = parent[node] {
                cycle.append(previous)
                node = previous
            }
            result.append(cycle.reversed())
        }
        return result.sorted { ($0.first ?? 0) < ($1.first ?? 0) }
    }
}

/// The config's view of the file system, through OrchSystem: files are read only
/// when they are regular files, and every failure says why in the user's terms.
enum FileSystem {
    /// Largest config or env file read (a config of 10 000 processes is ~1 MiB).
    static let largest = 64 << 20

    /// Whether anything is at `path`: a symlink loop or an unreadable directory
    /// counts, so that reading it says what is wrong instead of "no such file".
    static func isPresent(_ path: String) -> Bool {
        if case .failure(.missing) = Files.status(path) { return false }
        return true
    }

    static func isDirectory(_ path: String) -> Bool {
        if case .success(.directory) = Files.status(path) { return true }
        return false
    }

    /// Something other than a directory is there (a file, or what reading says is wrong).
    static func isFile(_ path: String) -> Bool {
        isPresent(path) && !isDirectory(path)
    }

    struct Problem: Error {
        var message: String
    }

    static func read(_ path: String) -> Result<String, Problem> {
        switch Files.readRegular(path, limit: largest) {
        case .failure(.notRegular(.directory)):
            return .failure(Problem(message: "is a directory, not a file"))
        case let .failure(failure):
            return .failure(Problem(message: failure.description))
        case let .success(bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return .failure(Problem(message: "is not valid UTF-8 text"))
            }
            return .success(text)
        }
    }
}
