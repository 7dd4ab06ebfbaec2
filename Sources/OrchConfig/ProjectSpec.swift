/// The resolved description of a project: what the loaders (Procfile, orch.yaml)
/// produce and what the supervisor core consumes. Everything here is plain data,
/// already validated; nothing in it touches the system.
public struct ProjectSpec: Sendable, Equatable {
    /// Absolute path of the directory that holds the config file.
    public var directory: String
    /// Absolute path of the config file (Procfile or orch.yaml).
    public var configFile: String
    /// Processes in file order (the order decides PORT and output order).
    public var processes: [ProcessSpec]
    /// Control port settings from `control:` in orch.yaml, if any.
    public var control: ControlSpec
    /// The environment every process starts from (orch's own, the env files, the
    /// top-level `env`), without PORT: what `orch run -- CMD` gives its command.
    public var environment: [String: String] = [:]
    /// The first process's PORT under foreman's rule (`-p`, else PORT, else 5000).
    public var basePort = 5000
    /// The config file and every env file it reads (absolute): saving one reloads.
    public var sourceFiles: [String] = []
    /// Top-level `reload:`; false keeps a saved config from being applied.
    public var reload = true

    public init(directory: String, configFile: String, processes: [ProcessSpec], control: ControlSpec = ControlSpec()) {
        self.directory = directory
        self.configFile = configFile
        self.processes = processes
        self.control = control
    }

    public func process(named name: String) -> ProcessSpec? {
        processes.first { $0.name == name }
    }
}

public struct ControlSpec: Sendable, Equatable {
    public var port: Int?
    public var socket: String?
    public init(port: Int? = nil, socket: String? = nil) {
        self.port = port
        self.socket = socket
    }
}

public enum ProcessKind: String, Sendable, Equatable, CaseIterable {
    /// Runs until stopped.
    case service
    /// Expected to finish; exit 0 is success.
    case job
}

public enum RestartPolicy: String, Sendable, Equatable, CaseIterable {
    case no
    case onFailure = "on-failure"
    case always
}

/// Exponential backoff between restarts: initial, ×factor each attempt, capped at max,
/// with jitter; the attempt counter resets after `resetAfter` of uptime.
public struct Backoff: Sendable, Equatable {
    public var initial: Duration
    public var max: Duration
    public var factor: Double
    public var resetAfter: Duration

    public init(initial: Duration = .milliseconds(100), max: Duration = .seconds(30), factor: Double = 2, resetAfter: Duration = .seconds(60)) {
        self.initial = initial
        self.max = max
        self.factor = factor
        self.resetAfter = resetAfter
    }
}

public enum DependencyCondition: String, Sendable, Equatable, CaseIterable {
    /// The dependency has been spawned.
    case started
    /// The dependency's readiness probe passed (or it started, when it has none).
    case ready
    /// The dependency (a job) has ended, whatever its code.
    case completed
    /// The dependency (a job) has ended with code 0.
    case succeeded
}

public struct Dependency: Sendable, Equatable {
    public var name: String
    public var condition: DependencyCondition
    public init(name: String, condition: DependencyCondition) {
        self.name = name
        self.condition = condition
    }
}

/// What a readiness probe checks. Strings are templates: `$PORT` and other
/// variables are interpolated per instance by `ProcessSpec.instance(replica:)`.
public enum ProbeCheck: Sendable, Equatable {
    /// A TCP connect to host:port succeeds.
    case tcp(host: String, port: String)
    /// An HTTP GET answers 2xx or 3xx.
    case http(url: String)
    /// A shell command exits 0.
    case exec(command: String)
    /// A line of the process's output contains the text.
    case log(text: String)
}

public struct ReadyProbe: Sendable, Equatable {
    public var check: ProbeCheck
    public var interval: Duration
    public var timeout: Duration
    /// Failed attempts before the process counts as failed to become ready; nil = forever.
    public var retries: Int?
    public var initialDelay: Duration

    public init(check: ProbeCheck, interval: Duration = .milliseconds(250), timeout: Duration = .seconds(1), retries: Int? = nil, initialDelay: Duration = .zero) {
        self.check = check
        self.interval = interval
        self.timeout = timeout
        self.retries = retries
        self.initialDelay = initialDelay
    }
}

public struct StopSpec: Sendable, Equatable {
    /// Signal number sent first to the process group.
    public var signal: Int32
    /// Time before SIGKILL goes to the whole group.
    public var timeout: Duration
    public init(signal: Int32 = 15, timeout: Duration = .seconds(5)) {
        self.signal = signal
        self.timeout = timeout
    }
}

public struct WatchSpec: Sendable, Equatable {
    public var paths: [String]
    public var ignore: [String]
    public var debounce: Duration
    /// Honour `.gitignore` files and `.git/info/exclude` (`watch.gitignore`).
    public var gitignore: Bool
    public init(paths: [String], ignore: [String] = [], debounce: Duration = .milliseconds(200), gitignore: Bool = true) {
        self.paths = paths
        self.ignore = ignore
        self.debounce = debounce
        self.gitignore = gitignore
    }
}

public struct LogFileSpec: Sendable, Equatable {
    public var file: String
    public var maxSize: Int?
    public var keep: Int
    public init(file: String, maxSize: Int? = nil, keep: Int = 5) {
        self.file = file
        self.maxSize = maxSize
        self.keep = keep
    }
}

/// One process of the config, before replica expansion.
///
/// A value type whose fields live in one shared, copy-on-write box: a copy (into
/// an array, a tuple, a parameter) is one retain instead of one per field, and
/// writing to a copy first gives it its own box. Loading 60 000 processes copied
/// each of them several times, and those copies were most of the load's time.
public struct ProcessSpec: Sendable, Equatable {
    /// The stored fields, compared and copied as one value.
    private struct Fields: Sendable, Equatable {
        var name: String
        var command: String
        var cwd: String
        var environment: [String: String]
        var port: Int?
        var kind: ProcessKind
        var replicas: Int
        var restart: RestartPolicy
        var backoff: Backoff
        var maxRestarts: Int?
        var dependsOn: [Dependency]
        var ready: ReadyProbe?
        var stop: StopSpec
        var optional: Bool
        var watch: WatchSpec?
        var pty: Bool
        var log: LogFileSpec?
        var line: Int
        var instanceEnvironment: [String: String] = [:]
        var timeout: Duration?
        var autostart = true
        var arguments: [String]?
        var foreground = false
        var configuredEnvironment: [String: String] = [:]
    }

    /// The box. Unchecked Sendable: it is written only through `fields`'s modify
    /// accessor, which first makes the box unique, so a box that two values (or two
    /// threads) share is never written.
    private final class Storage: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    /// Read in place; written to this value's own box (copied first when shared).
    private var fields: Fields {
        get { storage.fields }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
            yield &storage.fields
        }
    }

    public static func == (left: ProcessSpec, right: ProcessSpec) -> Bool {
        left.storage === right.storage || left.storage.fields == right.storage.fields
    }

    public var name: String {
        get { storage.fields.name }
        _modify { yield &fields.name }
    }
    /// Handed to `/bin/sh -c` as written.
    public var command: String {
        get { storage.fields.command }
        _modify { yield &fields.command }
    }
    /// Absolute working directory.
    public var cwd: String {
        get { storage.fields.cwd }
        _modify { yield &fields.cwd }
    }
    /// The child's full environment (orch's own included) without PORT and
    /// ORCH_PROCESS_NAME (those are per instance), merged in DESIGN's precedence:
    /// process env > env files > orch's own (the exact layers: `ConfigLoader`).
    /// When the process sets PORT itself, it is in here and `port` is nil.
    public var environment: [String: String] {
        get { storage.fields.environment }
        _modify { yield &fields.environment }
    }
    /// PORT of the first replica; replica j gets port + j. Nil when `environment` sets PORT.
    public var port: Int? {
        get { storage.fields.port }
        _modify { yield &fields.port }
    }
    public var kind: ProcessKind {
        get { storage.fields.kind }
        _modify { yield &fields.kind }
    }
    public var replicas: Int {
        get { storage.fields.replicas }
        _modify { yield &fields.replicas }
    }
    public var restart: RestartPolicy {
        get { storage.fields.restart }
        _modify { yield &fields.restart }
    }
    public var backoff: Backoff {
        get { storage.fields.backoff }
        _modify { yield &fields.backoff }
    }
    /// Restarts allowed before the process ends for good; nil = unlimited.
    public var maxRestarts: Int? {
        get { storage.fields.maxRestarts }
        _modify { yield &fields.maxRestarts }
    }
    public var dependsOn: [Dependency] {
        get { storage.fields.dependsOn }
        _modify { yield &fields.dependsOn }
    }
    public var ready: ReadyProbe? {
        get { storage.fields.ready }
        _modify { yield &fields.ready }
    }
    public var stop: StopSpec {
        get { storage.fields.stop }
        _modify { yield &fields.stop }
    }
    /// May end for good without stopping orch.
    public var optional: Bool {
        get { storage.fields.optional }
        _modify { yield &fields.optional }
    }
    public var watch: WatchSpec? {
        get { storage.fields.watch }
        _modify { yield &fields.watch }
    }
    public var pty: Bool {
        get { storage.fields.pty }
        _modify { yield &fields.pty }
    }
    public var log: LogFileSpec? {
        get { storage.fields.log }
        _modify { yield &fields.log }
    }
    /// Line in the config file that defines the process, for messages.
    public var line: Int {
        get { storage.fields.line }
        _modify { yield &fields.line }
    }
    /// `env` entries whose value uses PORT or ORCH_PROCESS_NAME, as written: each
    /// instance expands them again with its own values.
    public var instanceEnvironment: [String: String] {
        get { storage.fields.instanceEnvironment }
        _modify { yield &fields.instanceEnvironment }
    }
    /// `timeout`: past this much time after it started, orch stops it and it counts
    /// as failed (exit code 124, as timeout(1)).
    public var timeout: Duration? {
        get { storage.fields.timeout }
        _modify { yield &fields.timeout }
    }
    /// `autostart: false` keeps it out of `orch up` unless named or started with
    /// `orch ctl start`; `orch run NAME` still runs it.
    public var autostart: Bool {
        get { storage.fields.autostart }
        _modify { yield &fields.autostart }
    }
    /// The exact argv of `orch run -- CMD ARGS…` (no shell); nil for config processes.
    public var arguments: [String]? {
        get { storage.fields.arguments }
        _modify { yield &fields.arguments }
    }
    /// `orch run -- CMD`: the command keeps orch's stdin, stdout, stderr and terminal.
    public var foreground: Bool {
        get { storage.fields.foreground }
        _modify { yield &fields.foreground }
    }
    /// The part of `environment` the config sets (env files and `env`), without
    /// orch's own environment: what `orch export` writes, since the target system
    /// gives the process its own.
    public var configuredEnvironment: [String: String] {
        get { storage.fields.configuredEnvironment }
        _modify { yield &fields.configuredEnvironment }
    }

    public init(
        name: String, command: String, cwd: String, environment: [String: String] = [:], port: Int? = nil,
        kind: ProcessKind = .service, replicas: Int = 1, restart: RestartPolicy = .no, backoff: Backoff = Backoff(),
        maxRestarts: Int? = nil, dependsOn: [Dependency] = [], ready: ReadyProbe? = nil, stop: StopSpec = StopSpec(),
        optional: Bool = false, watch: WatchSpec? = nil, pty: Bool = false, log: LogFileSpec? = nil, line: Int = 0
    ) {
        storage = Storage(Fields(
            name: name, command: command, cwd: cwd, environment: environment, port: port, kind: kind, replicas: replicas,
            restart: restart, backoff: backoff, maxRestarts: maxRestarts, dependsOn: dependsOn, ready: ready, stop: stop,
            optional: optional, watch: watch, pty: pty, log: log, line: line
        ))
    }

    /// Name of replica `index` (0-based) when the process has `count` replicas:
    /// `web` when single, `web.1`, `web.2`, … otherwise.
    public func instanceName(replica index: Int, of count: Int) -> String {
        count == 1 ? name : "\(name).\(index + 1)"
    }

    /// The concrete instance for replica `index` of `count`: environment with PORT and
    /// ORCH_PROCESS_NAME set, probe templates interpolated from that environment.
    /// `name` overrides the instance name (instances added by scaling keep `web.N`).
    public func instance(replica index: Int, of count: Int, name: String? = nil) -> InstanceSpec {
        let instanceName = name ?? instanceName(replica: index, of: count)
        var env = environment
        if let port { env["PORT"] = String(port + index) }
        env["ORCH_PROCESS_NAME"] = instanceName
        for (key, template) in instanceEnvironment where key != "PORT" {
            env[key] = Interpolation.expand(template, env)
        }
        var probe = ready
        if var p = probe {
            switch p.check {
            case let .tcp(host, port):
                p.check = .tcp(host: Interpolation.expand(host, env), port: Interpolation.expand(port, env))
            case let .http(url):
                p.check = .http(url: Interpolation.expand(url, env))
            case let .exec(command):
                p.check = .exec(command: command)
            case let .log(text):
                p.check = .log(text: Interpolation.expand(text, env))
            }
            probe = p
        }
        var spec = InstanceSpec(name: instanceName, process: self.name, replica: index, command: command, cwd: cwd, environment: env, ready: probe,
                                pty: pty, log: log)
        spec.arguments = arguments
        spec.foreground = foreground
        return spec
    }
}

/// One running unit: a replica of a process, with its own PORT.
public struct InstanceSpec: Sendable, Equatable {
    /// `web` or `web.2`.
    public var name: String
    /// The process it belongs to.
    public var process: String
    /// 0-based replica index.
    public var replica: Int
    public var command: String
    public var cwd: String
    public var environment: [String: String]
    public var ready: ReadyProbe?
    /// The child gets a pseudo-terminal instead of a pipe.
    public var pty: Bool = false
    /// Its output also goes to this file (replicas share it, whole lines each).
    public var log: LogFileSpec?
    /// The exact argv to exec (`orch run -- CMD ARGS…`); nil: `command` as a shell line.
    public var arguments: [String]?
    /// Keeps orch's stdin, stdout, stderr and terminal (`orch run -- CMD`).
    public var foreground = false

    public init(name: String, process: String, replica: Int, command: String, cwd: String, environment: [String: String], ready: ReadyProbe?,
                pty: Bool = false, log: LogFileSpec? = nil) {
        self.pty = pty
        self.log = log
        self.name = name
        self.process = process
        self.replica = replica
        self.command = command
        self.cwd = cwd
        self.environment = environment
        self.ready = ready
    }
}
