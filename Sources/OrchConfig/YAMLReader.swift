/// Reads an orch.yaml node tree into a `RawProject`, collecting every problem with
/// its line and column instead of stopping at the first.
struct YAMLReader {
    typealias Location = RawProject.Location
    typealias Entry = (key: String, keyNode: Node, value: Node)

    static let topLevelKeys = ["env", "env_file", "processes", "control", "reload"]
    static let processKeys = [
        "command", "cwd", "env", "env_file", "kind", "replicas", "restart", "backoff", "max_restarts",
        "depends_on", "ready", "stop", "optional", "port", "watch", "pty", "log", "timeout", "autostart",
    ]
    static let controlKeys = ["port", "socket"]
    static let backoffKeys = ["initial", "max", "factor", "reset_after"]
    static let probeChecks = ["tcp", "http", "exec", "log"]
    static let readyKeys = probeChecks + ["interval", "timeout", "retries", "initial_delay"]
    static let stopKeys = ["signal", "timeout"]
    static let watchKeys = ["paths", "ignore", "debounce", "gitignore"]
    static let logKeys = ["file", "max_size", "keep"]

    let file: String
    var diagnostics: [ConfigDiagnostic] = []
    /// Where `control.socket` is written, for problems found once it is resolved.
    var socketLocation: Location?
    /// Duplicate keys already reported: a mapping read twice (an alias, a `<<`
    /// merge of an anchor that is also read where it is defined) says each once.
    var reportedDuplicates: Set<Location> = []
    /// Duration texts already parsed (nil: not a duration), at most `rememberedDurations`.
    var durations: [String: Duration?] = [:]
    static let rememberedDurations = 1_000

    /// The project, or nil when the file could not be read as YAML at all; the
    /// diagnostics hold every problem found either way.
    static func read(_ text: String, file: String) -> (project: RawProject?, diagnostics: [ConfigDiagnostic]) {
        let composer = YAMLComposer(text, file: file)
        var reader = YAMLReader(file: file, diagnostics: composer.diagnostics)
        guard let root = composer.root else {
            if reader.diagnostics.isEmpty {
                reader.diagnostics.append(ConfigDiagnostic(file: file, message: "the file is empty: add a `processes:` map, e.g. `processes: {web: {command: ...}}`"))
            }
            return (nil, reader.diagnostics)
        }
        let project = reader.readProject(root)
        return (project, reader.diagnostics)
    }

    // MARK: - Sections

    mutating func readProject(_ root: Node) -> RawProject {
        var project = RawProject()
        guard let entries = entries(of: root, what: "the top level", context: "at the top level", allowed: Self.topLevelKeys, ignoringExtensions: true) else {
            return project
        }
        var sawProcesses = false
        for (key, keyNode, value) in entries where !Self.isNull(value) || key == "processes" {
            switch key {
            case "env":
                project.env = environment(value, what: "'env'")
            case "env_file":
                project.envFiles = envFiles(value, what: "'env_file'")
            case "control":
                project.control = control(value)
                project.controlSocketLocation = socketLocation ?? location(value)
            case "reload":
                project.reload = bool(value, "'reload'") ?? true
            case "processes":
                sawProcesses = true
                project.processes = processes(value, keyNode: keyNode)
            default:
                break
            }
        }
        if !sawProcesses {
            error(root, "no 'processes' map: add one, e.g. `processes: {web: {command: ...}}`")
        }
        return project
    }

    mutating func processes(_ node: Node, keyNode: Node) -> [RawProject.Process] {
        if Self.isNull(node) {
            error(keyNode, "'processes' is empty: add a process, e.g. `web: {command: ...}`")
            return []
        }
        guard let entries = entries(of: node, what: "'processes'", context: "", allowed: nil, noun: "process") else { return [] }
        if entries.isEmpty {
            error(node, "'processes' is empty: add a process, e.g. `web: {command: ...}`")
        }
        // Sized once: 60 000 processes of a few hundred bytes each would otherwise
        // be copied into a new, freshly faulted-in buffer at every doubling.
        var result: [RawProject.Process] = []
        result.reserveCapacity(entries.count)
        for entry in entries {
            if let process = process(name: entry.key, keyNode: entry.keyNode, value: entry.value) { result.append(process) }
        }
        return result
    }

    mutating func process(name: String, keyNode: Node, value: Node) -> RawProject.Process? {
        if !Procfile.isValidName(name) {
            error(keyNode, "invalid process name '\(name)': \(Procfile.nameRule(name))")
        }
        func here() -> String { "in process '\(name)'" }
        var process = RawProject.Process(name: name, location: location(keyNode), command: "")
        if Self.isNull(value) {
            error(keyNode, "process '\(name)' has no 'command'")
            return process
        }
        if case .scalar = value {
            // `web: bin/server` is short for `web: {command: bin/server}`.
            process.command = command(value, name: name) ?? ""
            return process
        }
        guard let entries = entries(of: value, what: "process '\(name)'", context: here(), allowed: Self.processKeys) else {
            return process
        }
        var sawCommand = false
        for (key, _, value) in entries {
            func what() -> String { "'\(key)' \(here())" }
            if key == "command" {
                sawCommand = true
                process.command = command(value, name: name) ?? ""
                continue
            }
            if Self.isNull(value) { continue }
            switch key {
            case "cwd":
                process.cwd = string(value, what())
                process.cwdLocation = location(value)
            case "env":
                process.env = environment(value, what: what())
            case "env_file":
                process.envFiles = envFiles(value, what: what())
            case "kind":
                if let text = string(value, what()) {
                    if let kind = ProcessKind(rawValue: text) {
                        process.kind = kind
                    } else {
                        error(value, "\(what()) must be service or job, got '\(text)'\(Suggestion.hint(for: text, in: ProcessKind.allCases.map(\.rawValue), listing: false))")
                    }
                }
            case "replicas":
                process.replicas = integer(value, what(), in: 0...Formation.maxReplicas, expected: "a number from 0 to \(Formation.maxReplicas)")
            case "restart":
                process.restart = restart(value, what: what())
            case "backoff":
                process.backoff = backoff(value, name: name) ?? process.backoff
            case "max_restarts":
                process.maxRestarts = integer(value, what(), in: 0...Int.max, expected: "a non-negative integer")
            case "depends_on":
                process.dependsOn = dependencies(value, name: name)
            case "ready":
                process.ready = ready(value, name: name)
                process.readyLocation = location(value)
            case "stop":
                process.stop = stop(value, name: name) ?? process.stop
            case "optional":
                process.optional = bool(value, what()) ?? false
            case "port":
                process.port = integer(value, what(), in: 1...65535, expected: "a port number (1-65535)")
                process.portLocation = location(value)
            case "watch":
                process.watch = watch(value, name: name)
            case "pty":
                process.pty = bool(value, what()) ?? false
            case "timeout":
                process.timeout = duration(value, what())
                if process.timeout == .zero {
                    error(value, "\(what()) must be longer than 0 (leave it out for no time limit)")
                    process.timeout = nil
                }
            case "autostart":
                process.autostart = bool(value, what()) ?? true
            case "log":
                process.log = log(value, name: name)
            default:
                break
            }
        }
        if !sawCommand {
            error(keyNode, "process '\(name)' has no 'command'")
        }
        return process
    }

    mutating func command(_ node: Node, name: String) -> String? {
        guard let text = string(node, "'command' in process '\(name)'") else { return nil }
        if Self.isBlank(text) {
            error(node, "'command' in process '\(name)' must not be empty")
            return nil
        }
        return text
    }

    mutating func restart(_ node: Node, what: @autoclosure () -> String) -> RestartPolicy? {
        guard let text = string(node, what()) else { return nil }
        // YAML 1.1 reads a bare `no` as false; either way it means no restarts.
        if ["no", "false", "off"].contains(text.lowercased()) { return .no }
        if let policy = RestartPolicy(rawValue: text) { return policy }
        let valid = RestartPolicy.allCases.map(\.rawValue)
        error(node, "\(what()) must be no, on-failure or always, got '\(text)'\(Suggestion.hint(for: text, in: valid, listing: false))")
        return nil
    }

    mutating func control(_ node: Node) -> ControlSpec {
        var control = ControlSpec()
        guard let entries = entries(of: node, what: "'control'", context: "in 'control'", allowed: Self.controlKeys) else { return control }
        for (key, _, value) in entries where !Self.isNull(value) {
            func what() -> String { "'\(key)' in 'control'" }
            switch key {
            case "port": control.port = integer(value, what(), in: 1...65535, expected: "a port number (1-65535)")
            case "socket":
                control.socket = string(value, what())
                socketLocation = location(value)
            default: break
            }
        }
        return control
    }

    mutating func backoff(_ node: Node, name: String) -> Backoff? {
        func here() -> String { "in 'backoff' of process '\(name)'" }
        guard let entries = entries(of: node, what: "'backoff' in process '\(name)'", context: here(), allowed: Self.backoffKeys) else { return nil }
        var backoff = Backoff()
        for (key, _, value) in entries where !Self.isNull(value) {
            func what() -> String { "'\(key)' \(here())" }
            switch key {
            case "initial": backoff.initial = duration(value, what()) ?? backoff.initial
            case "max": backoff.max = duration(value, what()) ?? backoff.max
            case "reset_after": backoff.resetAfter = duration(value, what()) ?? backoff.resetAfter
            case "factor":
                if let text = string(value, what()) {
                    if let factor = Double(text), factor >= 1, factor.isFinite {
                        backoff.factor = factor
                    } else {
                        error(value, "\(what()) must be a number of at least 1, got '\(text)'")
                    }
                }
            default: break
            }
        }
        if backoff.initial > backoff.max {
            error(node, "'backoff' in process '\(name)': initial (\(DurationParser.format(backoff.initial))) must not exceed max (\(DurationParser.format(backoff.max)))")
        }
        return backoff
    }

    mutating func dependencies(_ node: Node, name: String) -> [RawProject.DependencyEntry] {
        func what() -> String { "'depends_on' in process '\(name)'" }
        var result: [RawProject.DependencyEntry] = []
        var seen: Set<String> = []
        func add(_ reader: inout YAMLReader, keyNode: Node, value: Node?) {
            guard let dependency = reader.string(keyNode, "a name in \(what())") else { return }
            var condition = DependencyCondition.started
            if let value, !Self.isNull(value) {
                func conditionWhat() -> String { "the condition for '\(dependency)' in \(what())" }
                guard let text = reader.string(value, conditionWhat()) else { return }
                guard let parsed = DependencyCondition(rawValue: text) else {
                    let valid = DependencyCondition.allCases.map(\.rawValue)
                    reader.error(value, "\(conditionWhat()) must be started, ready, completed or succeeded, got '\(text)'\(Suggestion.hint(for: text, in: valid, listing: false))")
                    return
                }
                condition = parsed
            }
            guard seen.insert(dependency).inserted else {
                reader.error(keyNode, "'\(dependency)' is listed twice in \(what())")
                return
            }
            result.append(RawProject.DependencyEntry(dependency: Dependency(name: dependency, condition: condition), location: reader.location(keyNode)))
        }
        switch node {
        case .sequence(let sequence):
            for item in sequence.items {
                if case .mapping(let mapping) = item {
                    for pair in mapping.pairs { add(&self, keyNode: pair.key, value: pair.value) }
                } else {
                    add(&self, keyNode: item, value: nil)
                }
            }
        case .scalar:
            add(&self, keyNode: node, value: nil)
        default:
            if let entries = entries(of: node, what: what(), context: "in \(what())", allowed: nil) {
                for entry in entries { add(&self, keyNode: entry.keyNode, value: entry.value) }
            }
        }
        return result
    }

    mutating func ready(_ node: Node, name: String) -> ReadyProbe? {
        func here() -> String { "in 'ready' of process '\(name)'" }
        guard let entries = entries(of: node, what: "'ready' in process '\(name)'", context: here(), allowed: Self.readyKeys) else { return nil }
        var check: ProbeCheck?
        var checkKey: String?
        var probe = ReadyProbe(check: .log(text: ""))
        for (key, keyNode, value) in entries where !Self.isNull(value) {
            func what() -> String { "'\(key)' \(here())" }
            if Self.probeChecks.contains(key) {
                if let checkKey {
                    error(keyNode, "'ready' in process '\(name)' has both '\(checkKey)' and '\(key)': use exactly one of tcp, http, exec, log")
                    continue
                }
                checkKey = key
                guard let text = string(value, what()) else { continue }
                if Self.isBlank(text) {
                    error(value, "\(what()) must not be empty")
                    continue
                }
                switch key {
                case "tcp": check = tcpCheck(text, node: value, what: what())
                case "http": check = httpCheck(text, node: value, what: what())
                case "exec": check = .exec(command: text)
                default: check = .log(text: text)
                }
                continue
            }
            switch key {
            case "interval": probe.interval = duration(value, what()) ?? probe.interval
            case "timeout": probe.timeout = duration(value, what()) ?? probe.timeout
            case "initial_delay": probe.initialDelay = duration(value, what()) ?? probe.initialDelay
            case "retries": probe.retries = integer(value, what(), in: 0...Int.max, expected: "a non-negative integer")
            default: break
            }
        }
        guard let check else {
            if checkKey == nil {
                error(node, "'ready' in process '\(name)' needs one of tcp, http, exec, log")
            }
            return nil
        }
        probe.check = check
        return probe
    }

    /// `5432`, `$PORT`, `host:port`, `[::1]:port`; the host defaults to 127.0.0.1.
    /// Both parts stay templates: `ProcessSpec.instance` interpolates them.
    mutating func tcpCheck(_ text: String, node: Node, what: @autoclosure () -> String) -> ProbeCheck? {
        let text = text.trimmingWhitespace()
        var host = "127.0.0.1", port = text
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                error(node, "\(what()) must be a port or host:port, got '\(text)'")
                return nil
            }
            port = String(rest.dropFirst())
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            port = String(text[text.index(after: colon)...])
            if host.isEmpty { host = "127.0.0.1" }
        }
        if !port.contains("$") {
            guard let number = Int(port), (1...65535).contains(number) else {
                error(node, "\(what()) must be a port or host:port, got '\(text)' (port must be 1-65535)")
                return nil
            }
        }
        // The probe connects without name lookups (they would block the loop).
        if !host.contains("$") && !YAMLReader.isAddress(host) {
            error(node, "\(what()): '\(host)' is a host name; the probe takes an IP address (127.0.0.1, [::1]) or localhost")
            return nil
        }
        return .tcp(host: host, port: port)
    }

    /// An IPv4 or IPv6 literal, or localhost.
    static func isAddress(_ host: String) -> Bool {
        if host == "localhost" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 && parts.allSatisfy({ UInt8($0) != nil }) { return true }
        return host.contains(":") && host.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }

    /// A URL; a bare path (`/health`) means `http://127.0.0.1:$PORT/health`.
    /// The probe speaks plain HTTP only, so https:// is refused here rather than
    /// failing every check at run time.
    mutating func httpCheck(_ text: String, node: Node, what: @autoclosure () -> String) -> ProbeCheck? {
        let text = text.trimmingWhitespace()
        if text.hasPrefix("/") { return .http(url: "http://127.0.0.1:$PORT\(text)") }
        let lowered = text.lowercased()
        if lowered.hasPrefix("https://") {
            error(node, "\(what()): https:// is not supported, the probe speaks plain HTTP; probe an http:// port, or use `exec: curl -fsS \(text)`")
            return nil
        }
        if lowered.hasPrefix("http://") { return .http(url: "http://" + text.dropFirst("http://".count)) }
        guard text.hasPrefix("$") else {
            error(node, "\(what()) must be a URL starting with http://, or a path like /health, got '\(text)'")
            return nil
        }
        return .http(url: text)
    }

    mutating func stop(_ node: Node, name: String) -> StopSpec? {
        func here() -> String { "in 'stop' of process '\(name)'" }
        guard let entries = entries(of: node, what: "'stop' in process '\(name)'", context: here(), allowed: Self.stopKeys) else { return nil }
        var stop = StopSpec()
        for (key, _, value) in entries where !Self.isNull(value) {
            func what() -> String { "'\(key)' \(here())" }
            switch key {
            case "timeout": stop.timeout = duration(value, what()) ?? stop.timeout
            case "signal":
                guard let text = string(value, what()) else { continue }
                if let number = SignalName.number(text) {
                    stop.signal = number
                } else {
                    var bare = text.uppercased()
                    if bare.hasPrefix("SIG") { bare.removeFirst(3) }
                    error(value, "\(what()): unknown signal '\(text)'\(Suggestion.hint(for: bare, in: SignalName.names, listing: false))")
                }
            default: break
            }
        }
        return stop
    }

    mutating func watch(_ node: Node, name: String) -> WatchSpec? {
        func here() -> String { "in 'watch' of process '\(name)'" }
        var spec = WatchSpec(paths: [])
        let pathsNode: Node
        if case .mapping = node {
            guard let entries = entries(of: node, what: "'watch' in process '\(name)'", context: here(), allowed: Self.watchKeys) else { return nil }
            var paths: Node?
            for (key, _, value) in entries where !Self.isNull(value) {
                func what() -> String { "'\(key)' \(here())" }
                switch key {
                case "paths": paths = value
                case "ignore": spec.ignore = stringList(value, what())?.map(\.text) ?? []
                case "debounce": spec.debounce = duration(value, what()) ?? spec.debounce
                case "gitignore": spec.gitignore = bool(value, what()) ?? true
                default: break
                }
            }
            guard let paths else {
                error(node, "'watch' in process '\(name)' needs 'paths'")
                return nil
            }
            pathsNode = paths
        } else {
            pathsNode = node
        }
        guard let paths = stringList(pathsNode, "the paths of 'watch' in process '\(name)'") else { return nil }
        if paths.isEmpty {
            error(pathsNode, "'watch' in process '\(name)' needs at least one path")
            return nil
        }
        spec.paths = paths.map(\.text)
        return spec
    }

    mutating func log(_ node: Node, name: String) -> LogFileSpec? {
        func here() -> String { "in 'log' of process '\(name)'" }
        if case .scalar = node {
            return string(node, "'log' in process '\(name)'").map { LogFileSpec(file: $0) }
        }
        guard let entries = entries(of: node, what: "'log' in process '\(name)'", context: here(), allowed: Self.logKeys) else { return nil }
        var spec = LogFileSpec(file: "")
        var sawFile = false
        for (key, _, value) in entries where !Self.isNull(value) {
            func what() -> String { "'\(key)' \(here())" }
            switch key {
            case "file":
                if let file = string(value, what()) {
                    spec.file = file
                    sawFile = !file.isEmpty
                }
            case "keep":
                spec.keep = integer(value, what(), in: 0...10_000, expected: "a non-negative integer") ?? spec.keep
            case "max_size":
                guard let text = string(value, what()) else { continue }
                if let size = Self.parseSize(text) {
                    spec.maxSize = size
                } else {
                    error(value, "\(what()) must be a size like 10MB, 512K or 1G, got '\(text)'")
                }
            default: break
            }
        }
        guard sawFile else {
            error(node, "'log' in process '\(name)' needs 'file'")
            return nil
        }
        return spec
    }

    /// `1024`, `512K`, `10MB`, `1GiB`; units are powers of 1024, like logrotate's.
    static func parseSize(_ text: String) -> Int? {
        let text = text.trimmingWhitespace()
        let digits = text.prefix { ("0"..."9").contains($0) }
        guard let value = Int(digits), value > 0 else { return nil }
        let unit = text.dropFirst(digits.count).trimmingWhitespace().uppercased()
        let multipliers: [String: Int] = [
            "": 1, "B": 1, "K": 1 << 10, "KB": 1 << 10, "KIB": 1 << 10, "M": 1 << 20, "MB": 1 << 20, "MIB": 1 << 20,
            "G": 1 << 30, "GB": 1 << 30, "GIB": 1 << 30,
        ]
        guard let multiplier = multipliers[unit] else { return nil }
        let product = value.multipliedReportingOverflow(by: multiplier)
        return product.overflow ? nil : product.partialValue
    }

    // MARK: - Environments

    mutating func environment(_ node: Node, what: @autoclosure () -> String) -> [RawProject.EnvEntry] {
        var result: [RawProject.EnvEntry] = []
        func add(_ reader: inout YAMLReader, key: String, value: String, node: Node) {
            // Byte checks: String.contains(String) sets up a substring search per call.
            guard !key.isEmpty, !key.utf8.contains(UInt8(ascii: "=")), !key.utf8.contains(0) else {
                reader.error(node, "invalid variable name '\(key)' in \(what())")
                return
            }
            result.append(RawProject.EnvEntry(key: key, value: value, location: reader.location(node)))
        }
        if case .sequence(let sequence) = node {
            // docker-compose's list form: `- KEY=value`.
            for item in sequence.items {
                guard let text = string(item, "an entry of \(what())") else { continue }
                guard let equals = text.firstIndex(of: "=") else {
                    error(item, "an entry of \(what()) must be KEY=value, got '\(text)'")
                    continue
                }
                add(&self, key: String(text[..<equals]), value: String(text[text.index(after: equals)...]), node: item)
            }
            return result
        }
        guard let entries = entries(of: node, what: what(), context: "in \(what())", allowed: nil) else { return [] }
        for (key, keyNode, value) in entries where !Self.isNull(value) {
            guard let text = string(value, "'\(key)' in \(what())") else { continue }
            add(&self, key: key, value: text, node: keyNode)
        }
        return result
    }

    mutating func envFiles(_ node: Node, what: @autoclosure () -> String) -> [RawProject.EnvFile] {
        (stringList(node, what()) ?? []).map { RawProject.EnvFile(path: $0.text, location: location($0.node)) }
    }

    // MARK: - Values

    /// The pairs of a mapping in order, with `<<` merges applied and unknown and
    /// duplicated keys reported (and left out).
    mutating func entries(of node: Node, what: @autoclosure () -> String, context: @autoclosure () -> String, allowed: [String]?, noun: String = "key", ignoringExtensions: Bool = false) -> [Entry]? {
        guard case .mapping(let mapping) = node else {
            error(node, "\(what()) must be a map, got \(Self.describe(node))")
            return nil
        }
        var explicit: [Entry] = []
        explicit.reserveCapacity(mapping.pairs.count)
        var merged: [Entry] = []
        for pair in mapping.pairs {
            let keyNode = pair.key, value = pair.value
            guard case .scalar(let scalar) = keyNode else {
                error(keyNode, "keys \(context().isEmpty ? "in \(what())" : context()) must be strings, got \(Self.describe(keyNode))")
                continue
            }
            let key = scalar.string
            if let firstLine = pair.duplicateOf {
                let place = context().isEmpty ? "" : " \(context())"
                duplicate(keyNode, "duplicate \(noun) '\(key)'\(place) (first defined at line \(firstLine))")
                continue
            }
            if key == "<<" && scalar.style != .singleQuoted && scalar.style != .doubleQuoted {
                let sources: [Node]
                if case .sequence(let sequence) = value { sources = sequence.items } else { sources = [value] }
                for source in sources {
                    guard case .mapping(let sourceMapping) = source else {
                        error(source, "a '<<' merge \(context()) must be a map or a list of maps, got \(Self.describe(source))")
                        continue
                    }
                    for mergedPair in sourceMapping.pairs {
                        guard let name = mergedPair.key.scalar?.string else { continue }
                        // The first of the two is merged; the other is a mistake in
                        // the file like any duplicate, wherever the map is used.
                        if let firstLine = mergedPair.duplicateOf {
                            duplicate(mergedPair.key, "duplicate \(noun) '\(name)' in a '<<' merge \(context().isEmpty ? "in \(what())" : context()) (first defined at line \(firstLine))")
                            continue
                        }
                        merged.append((name, mergedPair.key, mergedPair.value))
                    }
                }
                continue
            }
            if ignoringExtensions && key.hasPrefix("x-") { continue }
            if let allowed, !allowed.contains(key) {
                error(keyNode, "unknown key '\(key)' \(context())\(Suggestion.hint(for: key, in: allowed))")
                continue
            }
            explicit.append((key, keyNode, value))
        }
        guard !merged.isEmpty else { return explicit }
        // A few keys are compared one by one; more go through a set, so a large
        // merge stays linear.
        let small = explicit.count + merged.count <= 16
        var present = small ? [] : Set(explicit.map(\.key))
        let written = explicit.count
        for (index, entry) in merged.enumerated() {
            if small {
                // Written in the mapping, or merged from an earlier source (even
                // one reported as unknown): the first one counts.
                if explicit[..<written].contains(where: { $0.key == entry.key }) || merged[..<index].contains(where: { $0.key == entry.key }) {
                    continue
                }
            } else {
                guard present.insert(entry.key).inserted else { continue }
            }
            if let allowed, !allowed.contains(entry.key) {
                error(entry.keyNode, "unknown key '\(entry.key)' \(context())\(Suggestion.hint(for: entry.key, in: allowed))")
                continue
            }
            explicit.append(entry)
        }
        return explicit
    }

    mutating func string(_ node: Node, _ what: @autoclosure () -> String) -> String? {
        guard case .scalar(let scalar) = node else {
            error(node, "\(what()) must be a string, got \(Self.describe(node))")
            return nil
        }
        return scalar.string
    }

    /// A number in `range`, plain or quoted (`"8080"`, as docker-compose files quote
    /// ports), or tagged `!!int`; another explicit tag (`!!str 3`, `! 3`) says the
    /// value is not a number, so it is refused rather than read as one.
    mutating func integer(_ node: Node, _ what: @autoclosure () -> String, in range: ClosedRange<Int>, expected: @autoclosure () -> String) -> Int? {
        guard let text = string(node, what()) else { return nil }
        if let tag = node.scalar?.tag, tag != "!!int" {
            error(node, "\(what()) must be \(expected()), got '\(text)' tagged \(tag), which makes it \(tag == "!!str" || tag == "!" ? "a string" : "not an integer"): remove the tag")
            return nil
        }
        guard let value = Int(text.trimmingWhitespace()), range.contains(value) else {
            error(node, "\(what()) must be \(expected()), got '\(text)'")
            return nil
        }
        return value
    }

    mutating func bool(_ node: Node, _ what: @autoclosure () -> String) -> Bool? {
        guard let text = string(node, what()) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            error(node, "\(what()) must be true or false, got '\(text)'")
            return nil
        }
    }

    mutating func duration(_ node: Node, _ what: @autoclosure () -> String) -> Duration? {
        guard let text = string(node, what()) else { return nil }
        // A `<<` default's durations come back once per process that merges it.
        let parsed: Duration?
        if let known = durations[text] {
            parsed = known
        } else {
            parsed = DurationParser.parse(text)
            if durations.count < Self.rememberedDurations { durations[text] = parsed }
        }
        guard let value = parsed else {
            error(node, "\(what()) must be a duration like 250ms, 5s or 1m, got '\(text)'")
            return nil
        }
        return value
    }

    /// A string or a list of strings, each with its node for messages.
    mutating func stringList(_ node: Node, _ what: @autoclosure () -> String) -> [(text: String, node: Node)]? {
        switch node {
        case .scalar(let scalar):
            return [(scalar.string, node)]
        case .sequence(let sequence):
            var result: [(text: String, node: Node)] = []
            for item in sequence.items {
                if let text = string(item, "an entry of \(what())") { result.append((text, item)) }
            }
            return result
        default:
            error(node, "\(what()) must be a string or a list of strings, got \(Self.describe(node))")
            return nil
        }
    }

    // MARK: - Helpers

    func location(_ node: Node) -> Location {
        Location(line: node.mark.line, column: node.mark.column)
    }

    /// A duplicate key, reported once however often its map is read.
    mutating func duplicate(_ keyNode: Node, _ message: String) {
        guard reportedDuplicates.insert(location(keyNode)).inserted else { return }
        error(keyNode, message)
    }

    mutating func error(_ node: Node, _ message: String) {
        diagnostics.append(ConfigDiagnostic(file: file, line: node.mark.line, column: node.mark.column, message: message))
    }

    static let nullSpellings: Set<String> = ["", "~", "null", "Null", "NULL"]

    /// Empty or only whitespace, without building a trimmed copy.
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(\.properties.isWhitespace)
    }

    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return nullSpellings.contains(scalar.string)
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "'\(scalar.string)'"
        case .mapping: return "a map"
        case .sequence: return "a list"
        }
    }
}
