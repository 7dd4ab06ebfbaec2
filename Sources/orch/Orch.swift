import OrchCLI
import OrchConfig
import OrchCore
import OrchRuntime
import OrchSystem


let orchVersion = "0.1.0"

enum Orch {
    static let spec = CommandSpec(
        "orch",
        abstract: "A process supervisor: run a Procfile or orch.yaml in the foreground.",
        discussion: """
        orch starts every process of a project, prefixes their output with a coloured \
        `name |`, restarts them by policy, and stops them all (grandchildren too) on \
        Ctrl-C. Without -f it looks for orch.yaml, orch.yml or Procfile in the current \
        directory and then its parents.

        EXAMPLES
          orch up                  start every process
          orch up web -m web=2     start web (and what it needs) twice
          orch run tests           run tests and its deps, exit with its code
          orch check               validate the config, print the processes
          orch ctl ps              the running processes (from another terminal)
          orch ctl restart web     restart web once the old one has exited
          orch export systemd out  write systemd units for the project
        """,
        subcommands: [Up.spec, Run.spec, Check.spec, Ctl.spec, Export.spec, PsShort.spec, RestartShort.spec]
    )
}

/// Options shared by every command that reads the config.
struct ConfigOptions {
    static let options: [OptionSpec] = [
        .value("file", short: "f", name: "file", help: "Config file (Procfile or orch.yaml).", completion: .file),
        .value("env", short: "e", name: "file", help: "Env file to load instead of .env (repeatable).", repeating: true, completion: .file),
        .value("formation", short: "m", name: "formation", help: "Replicas per process, e.g. web=2,worker=1,all=1."),
        .value("base-port", short: "p", name: "port", help: "Base PORT (default $PORT, else 5000); the i-th process gets base+100*i."),
    ]

    var file: String?
    var envFiles: [String]
    var formation: String?
    var port: Int?

    /// The load options of this command line: the file, env files, `-m`, `-p`, and
    /// what `up`/`run` add (`--timeout`, `--port`). `up`, `run`, `check` and `orch ctl
    /// reload` all load through these, so they resolve a file the same way.
    init(_ parsed: Parsed) throws {
        file = parsed.string("file")
        envFiles = parsed.strings("env")
        formation = parsed.string("formation")
        port = try parsed.int("base-port")
        try refuseEmpty(file, "-f/--file", example: "-f orch.yaml")
        for envFile in envFiles { try refuseEmpty(envFile, "-e/--env", example: "-e .env.local") }
    }

    func loadOptions(stopTimeout: Duration? = nil, controlPort: Int? = nil) throws -> LoadOptions {
        var formationMap: [String: Int] = [:]
        if let formation {
            do { formationMap = try Formation.parse(formation) } catch {
                for diagnostic in error.diagnostics { printError("orch: \(diagnostic)") }
                throw ExitCode(2)
            }
        }
        return LoadOptions(
            file: file, workingDirectory: startDirectory, envFiles: envFiles.isEmpty ? nil : envFiles,
            formation: formationMap, basePort: port, environment: startEnvironment,
            stopTimeout: stopTimeout, controlPort: controlPort)
    }

    /// Loads and validates the config, or prints every error and exits 2.
    func load(_ options: LoadOptions? = nil) throws -> ProjectSpec {
        let options = try options ?? loadOptions()
        do {
            let result = try ConfigLoader.load(options)
            for line in ConfigError(diagnostics: result.warnings).lines(noun: "warning") { printError("orch: warning: \(line)") }
            return result.spec
        } catch {
            for line in error.lines() { printError("orch: \(line)") }
            throw ExitCode(2)
        }
    }
}

/// For the commands that load a config and may supervise (up, run, check, export),
/// first thing in their run: signals are blocked before anything else runs, so no
/// thread created later can receive them and SIGTERM/SIGCHLD are never lost: the
/// loop reads them from a signalfd. main stays synchronous (an async main would park
/// this thread in libdispatch with signals unblocked). Until the loop reads that
/// signalfd, a small thread does: Ctrl-C during a slow config load ends orch with
/// 130 (`StartupSignals`). `--version`, `--help` and `orch ctl` keep the default
/// dispositions and start no thread.
func blockSignalsForSupervision() {
    do {
        try SignalFD.blockSignals()
        try StartupSignals.watch()
    } catch {
        printError("orch: cannot block signals: \(error)")
    }
}

/// Loads the config again for `orch ctl reload` with the options orch started with,
/// from the file it started with (not whatever discovery finds now).
func reloader(_ options: LoadOptions, file: String) -> @Sendable () -> Result<ProjectSpec, ConfigError> {
    var options = options
    options.file = file
    let fixed = options
    return {
        do throws(ConfigError) { return .success(try ConfigLoader.load(fixed).spec) } catch { return .failure(error) }
    }
}

/// An empty path or address on the command line (`-f ""`, an unset variable in a
/// script) is a mistake: refused before anything starts, not read as the current
/// directory or reported after the run.
func refuseEmpty(_ value: String?, _ option: String, example: String) throws {
    guard let value, value.allSatisfy(\.isWhitespace) else { return }
    throw ValidationError("\(option) is empty: give a value, e.g. \(example)")
}

/// Process names given on the command line must exist.
func validateNames(_ names: [String], in spec: ProjectSpec) throws {
    let known = spec.processes.map(\.name)
    let knownSet = Set(known)
    let candidates = Suggestion.Candidates(known)
    var bad = 0
    for name in names where !knownSet.contains(name) {
        bad += 1
        // Like config errors: the first 50, then a count.
        guard bad <= ConfigError.mostShown else { continue }
        var text = "orch: no process named '\(ConfigDiagnostic.excerpt(name))' in \(displayPath(spec.configFile))"
        if let suggestion = Suggestion.nearest(to: name, in: candidates) { text += " (did you mean '\(suggestion)'?)" }
        printError(text)
    }
    if bad > 0 {
        if bad > ConfigError.mostShown { printError("orch: and \(bad - ConfigError.mostShown) more unknown names") }
        let listed = known.prefix(20).joined(separator: ", ") + (known.count > 20 ? ", … (\(known.count) in all)" : "")
        printError("orch: processes are: \(listed)")
        throw ExitCode(2)
    }
}

enum LogFormat: String, CaseIterable {
    case text, json
}

enum ColorChoice: String, CaseIterable {
    case auto, always, never

    /// Whether to colour stdout: auto means on a terminal, unless NO_COLOR is set
    /// or TERM is dumb.
    var enabled: Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            let env = currentEnvironment()
            if let noColor = env["NO_COLOR"], !noColor.isEmpty { return false }
            if env["TERM"] == "dumb" { return false }
            return Descriptor.isTerminal(1)
        }
    }
}

struct OutputOptions {
    static let options: [OptionSpec] = [
        .value("color", name: "color", help: "Colour the name prefixes: auto (on a terminal, unless NO_COLOR is set), always, never.",
               default: "values: auto, always, never; default: auto", completion: .list(ColorChoice.allCases.map(\.rawValue))),
        .value("timeout", short: "t", name: "duration", help: "Time between the stop signal and SIGKILL, e.g. 5s (overrides stop.timeout)."),
        .inversion("timestamps", help: "Start every line with the time it was read, HH:MM:SS.mmm (default for orch run when stdout is not a terminal)."),
        .value("log-format", name: "log-format", help: "text: `name | line`; json: one object per line, {\"ts\",\"process\",\"line\"} or {\"ts\",\"process\":\"orch\",\"event\"}.",
               default: "values: text, json; default: text", completion: .list(LogFormat.allCases.map(\.rawValue))),
    ]

    var color: ColorChoice
    var timeout: String?
    var timestamps: Bool?
    var logFormat: LogFormat

    init(_ parsed: Parsed) throws {
        color = try parsed.choice("color", ColorChoice.self) ?? .auto
        timeout = parsed.string("timeout")
        timestamps = parsed.inversion("timestamps")
        logFormat = try parsed.choice("log-format", LogFormat.self) ?? .text
    }

    var style: OutputStyle { style(timestampsByDefault: false) }

    func style(timestampsByDefault: Bool) -> OutputStyle {
        OutputStyle(color: logFormat == .json ? false : useColor, timestamps: timestamps ?? timestampsByDefault, json: logFormat == .json)
    }

    var useColor: Bool { color.enabled }

    /// `--timeout` as a duration, or exits 2 naming the problem.
    func stopTimeout() throws -> Duration? {
        guard let timeout else { return nil }
        guard let duration = DurationParser.parse(timeout) else {
            printError("orch: --timeout '\(ConfigDiagnostic.excerpt(timeout))' is not a duration (use e.g. 500ms, 5s, 1m)")
            throw ExitCode(2)
        }
        return duration
    }
}

/// The control port of `up` and `run`.
struct ControlFlags {
    static let options: [OptionSpec] = [
        .value("port", name: "port", help: "Control port on 127.0.0.1 (default: ORCH_PORT, control.port, else ephemeral)."),
        .value("listen", name: "address", help: "Address the control port binds to (default 127.0.0.1); anything else is reachable from other hosts."),
        .flag("no-control", help: "Do not open a control port (orch ctl cannot reach this orch)."),
    ]

    var controlPort: Int?
    var listen: String?
    var noControl: Bool

    init(_ parsed: Parsed) throws {
        controlPort = try parsed.int("port")
        listen = parsed.string("listen")
        noControl = parsed.flag("no-control")
        try refuseEmpty(listen, "--listen", example: "--listen 127.0.0.1")
    }

    /// The control port as resolved by the loader (`--port` > ORCH_PORT > `control.port`).
    func options(for spec: ProjectSpec, loadOptions: LoadOptions) -> ControlOptions? {
        if noControl { return nil }
        let host = listen ?? "127.0.0.1"
        if !host.hasPrefix("127.") && host != "localhost" {
            printError("orch: warning: the control port listens on \(host): other hosts can reach it (the token still guards it)")
        }
        return ControlOptions(
            host: host == "localhost" ? "127.0.0.1" : host, port: UInt16(clamping: spec.control.port ?? 0),
            explicitPort: spec.control.port != nil, project: spec.directory, socket: spec.control.socket,
            environment: loadOptions.environment, registry: StateFileRegistry(environment: loadOptions.environment),
            reload: reloader(loadOptions, file: spec.configFile))
    }
}

struct Up {
    static let spec = CommandSpec(
        "up",
        abstract: "Start the processes in the foreground.",
        discussion: """
        Starts every process of the config (or only NAMES and what they depend on) and \
        prints their output as `name | line`. When a process ends for good, orch stops \
        the others and exits with that process's code (128+N for a death by signal N). \
        Ctrl-C, SIGTERM or SIGHUP stop every process group (SIGTERM, then SIGKILL after \
        the timeout) and orch exits 0; a second Ctrl-C kills at once. SIGUSR1 and \
        SIGUSR2 are forwarded to every process group.

        Every process gets PORT (base + 100 per process in file order, + 1 per replica) \
        and ORCH_PROCESS_NAME (e.g. web.2). A process with `autostart: false` starts only when \
        named, needed by one that starts, or started with `orch ctl start`.
        """,
        options: ConfigOptions.options + OutputOptions.options + ControlFlags.options + WatchFlags.options,
        arguments: [ArgumentSpec("names", help: "Processes to start (default: all).", repeating: true, optional: true, completion: ProcessNameCompletion.names)],
        run: { try Up($0).run() }
    )

    var names: [String]
    var config: ConfigOptions
    var output: OutputOptions
    var control: ControlFlags
    var watching: WatchFlags

    init(_ parsed: Parsed) throws {
        names = parsed.arguments("names")
        config = try ConfigOptions(parsed)
        output = try OutputOptions(parsed)
        control = try ControlFlags(parsed)
        watching = WatchFlags(parsed)
    }

    func run() throws {
        blockSignalsForSupervision()
        let options = try config.loadOptions(stopTimeout: output.stopTimeout(), controlPort: control.controlPort)
        let spec = try config.load(options)
        try validateNames(names, in: spec)
        var loaded = spec
        let overrides = try watching.overrides(applyingTo: &loaded)
        // A reload reads the file this orch started with and applies the same overrides.
        let load = reloader(options, file: spec.configFile)
        let reload: @Sendable () -> Result<ProjectSpec, ConfigError> = {
            load().flatMap { fresh in
                var spec = fresh
                do throws(ConfigError) { try overrides.apply(to: &spec) } catch { return .failure(error) }
                return .success(spec)
            }
        }
        let code = try supervise(loaded, selected: names.isEmpty ? nil : names, mode: .up, output: output,
                                 control: control.options(for: loaded, loadOptions: options),
                                 reload: reload, reloadOnSave: !watching.noReload)
        throw ExitCode(code)
    }
}

/// File watching from the command line: `--watch`, `--no-watch`, `--no-reload`.
struct WatchFlags {
    static let options: [OptionSpec] = [
        .value("watch", name: "name=paths", help: "Restart NAME when files under PATHS change, e.g. web=app,lib (repeatable; paths relative to the project).", repeating: true),
        .flag("no-watch", help: "Ignore every `watch:` of the config for this run."),
        .flag("no-reload", help: "Do not apply a saved orch.yaml, Procfile or env file (as `reload: false` does)."),
    ]

    var watch: [String]
    var noWatch: Bool
    var noReload: Bool

    init(_ parsed: Parsed) {
        watch = parsed.strings("watch")
        noWatch = parsed.flag("no-watch")
        noReload = parsed.flag("no-reload")
    }

    /// Parses and applies `--watch`/`--no-watch`, or prints the problems and exits 2.
    func overrides(applyingTo spec: inout ProjectSpec) throws -> WatchOverrides {
        do {
            let overrides = try WatchOverrides(watch, none: noWatch)
            try overrides.apply(to: &spec)
            return overrides
        } catch {
            for diagnostic in error.diagnostics { printError("orch: \(diagnostic)") }
            throw ExitCode(2)
        }
    }
}

func makeRuntime(_ spec: ProjectSpec, selected: [String]?, mode: Mode, output: OutputOptions, control: ControlOptions?,
                 reload: (@Sendable () -> Result<ProjectSpec, ConfigError>)? = nil, reloadOnSave: Bool = false) -> Runtime? {
    // --timeout also bounds how long orphans get at exit.
    makeRuntime(spec, selected: selected, mode: mode,
                options: RuntimeOptions(style: output.style, orphanTimeout: (try? output.stopTimeout()) ?? .seconds(5), control: control,
                                        reloadConfig: reload, reloadOnSave: reloadOnSave))
}

func makeRuntime(_ spec: ProjectSpec, selected: [String]?, mode: Mode, options: RuntimeOptions) -> Runtime? {
    // The runtime's signalfd reads signals from here on (one arriving meanwhile stays pending).
    StartupSignals.stopWatching()
    do {
        let runtime = try Runtime(project: spec, selected: selected, mode: mode, options: options)
        try runtime.prepare()
        return runtime
    } catch let error as AlreadyRunning {
        printError("orch: \(error)")
        return nil
    } catch {
        printError("orch: cannot start: \(error)")
        return nil
    }
}

func supervise(_ spec: ProjectSpec, selected: [String]?, mode: Mode, output: OutputOptions, control: ControlOptions?,
               reload: (@Sendable () -> Result<ProjectSpec, ConfigError>)? = nil, reloadOnSave: Bool = false) throws -> Int32 {
    guard let runtime = makeRuntime(spec, selected: selected, mode: mode, output: output, control: control,
                                    reload: reload, reloadOnSave: reloadOnSave) else { throw ExitCode(2) }
    // The pages start-up read (parsing, loading) need not stay in orch's RSS.
    StartupPages.release()
    return runtime.run()
}

struct Check {
    static let spec = CommandSpec(
        "check",
        abstract: "Validate the config and print the resolved processes.",
        discussion: "Exits 0 when the config is valid and sh can parse every command (sh -n), else prints every error with file:line and exits 2.",
        options: ConfigOptions.options,
        run: { try Check($0).run() }
    )

    var config: ConfigOptions

    init(_ parsed: Parsed) throws {
        config = try ConfigOptions(parsed)
    }

    func run() throws {
        blockSignalsForSupervision()
        let spec = try config.load()
        let problems = ShellSyntax.problems(in: spec)
        if !problems.isEmpty {
            for problem in problems { printError("orch: \(problem)") }
            throw ExitCode(2)
        }
        // One buffer, written when it fills: 60 000 processes are 60 000 lines,
        // and a `print` of a concatenated line each was a good part of the run.
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        func put(_ text: String) { out.append(contentsOf: text.utf8) }
        func endLine() {
            out.append(UInt8(ascii: "\n"))
            if out.count >= 1 << 16 {
                Descriptor.writeAll(1, out)
                out.removeAll(keepingCapacity: true)
            }
        }
        func putPadded(_ name: String, _ width: Int) {
            put(name)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(0, width - name.count)))
        }
        put("\(displayPath(spec.configFile)): \(spec.processes.count) process\(spec.processes.count == 1 ? "" : "es")")
        endLine()
        var width = 0
        for p in spec.processes {
            for replica in 0..<max(p.replicas, 1) { width = max(width, p.instanceName(replica: replica, of: p.replicas).count) }
        }
        if spec.processes.isEmpty { width = 4 }
        for process in spec.processes {
            let command = oneLine(process.command)
            if process.replicas == 0 {
                put("  ")
                putPadded(process.name, width)
                put("  (0 replicas: not started)  ")
                put(command)
                endLine()
                continue
            }
            // What every replica shares; only PORT, the name and the probe differ.
            var shared = Array(process.kind.rawValue.utf8)
            if process.restart != .no {
                shared += "  restart ".utf8
                shared += process.restart.rawValue.utf8
            }
            if !process.autostart { shared += "  autostart false".utf8 }
            if let timeout = process.timeout { shared += "  timeout \(timeout.humanDescription)".utf8 }
            for (index, dependency) in process.dependsOn.enumerated() {
                shared += (index == 0 ? "  after " : ", ").utf8
                shared += dependency.name.utf8
                shared += " ".utf8
                shared += dependency.condition.rawValue.utf8
            }
            for replica in 0..<process.replicas {
                put("  ")
                putPadded(process.instanceName(replica: replica, of: process.replicas), width)
                put("  ")
                // The instance's PORT (`ProcessSpec.instance`), without building its environment.
                if let port = process.port.map({ String($0 + replica) }) ?? process.environment["PORT"] {
                    put("PORT=")
                    put(port)
                    put("  ")
                }
                out += shared
                // A probe's text is interpolated per instance.
                if process.ready != nil, let ready = process.instance(replica: replica, of: process.replicas).ready {
                    put("  ready ")
                    put(describe(ready.check))
                }
                put("  ")
                put(command)
                endLine()
            }
        }
        Descriptor.writeAll(1, out)
        // Done: end here, with the spec still held. Freeing 60 000 processes one
        // by one on the way out was 5 % of a 10 MB check; exit(3) frees them at once.
        withExtendedLifetime(spec) { ProcessEnvironment.exit(0) }
    }

    private func describe(_ check: ProbeCheck) -> String {
        switch check {
        case let .tcp(host, port): return "tcp \(host):\(port)"
        case let .http(url): return "http \(url)"
        case let .exec(command): return "exec '\(command)'"
        case let .log(text): return "log '\(text)'"
        }
    }
}

/// The first line of a multi-line command, marked as cut.
func oneLine(_ command: String) -> String {
    // Most commands are one line: no need to split them into Characters.
    guard command.containsByte(UInt8(ascii: "\n")) else { return command }
    let lines = command.split(separator: "\n", omittingEmptySubsequences: true)
    guard lines.count > 1, let first = lines.first else { return command }
    return first + " …"
}

func pad(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

/// One line to stderr. A line longer than 2 000 characters (a message that quotes
/// a 128 KiB path or address back) keeps its first 1 000 and last 400 characters,
/// which hold what went wrong and what to do, and says how much it left out.
func printError(_ text: String) {
    Descriptor.writeAll(2, Array((bounded(text) + "\n").utf8))
}

func bounded(_ text: String, limit: Int = 2000, head: Int = 1000, tail: Int = 400) -> String {
    guard text.utf8.count > limit else { return text }
    let count = text.count
    guard count > limit else { return text }
    return text.prefix(head) + " …[\(count - head - tail) characters left out]… " + text.suffix(tail)
}

func currentEnvironment() -> [String: String] { ProcessEnvironment.current() }

/// orch's environment and directory at start, so a reload reads the config the same way.
let startEnvironment = ProcessEnvironment.current()
let startDirectory = ProcessEnvironment.workingDirectory()

func currentDirectory() -> String { ProcessEnvironment.workingDirectory() }

/// A path relative to the current directory when it is inside it.
func displayPath(_ path: String) -> String {
    Path.display(path, from: currentDirectory())
}
