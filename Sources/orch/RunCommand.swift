import OrchCLI
import OrchConfig
import OrchCore
import OrchRuntime
import OrchSystem

struct Run {
    static let spec = CommandSpec(
        "run",
        abstract: "Run jobs with what they depend on, or one command, then stop everything.",
        discussion: """
        orch run [NAMES...] starts NAMES (default: every job) and their dependencies, \
        waits until the named processes have finished, stops the rest, prints a summary \
        and exits 0 when all of them succeeded. Otherwise the first of them to fail (in \
        time, not in file order) decides the exit code; independent targets still \
        finish unless --fail-fast, where the first failure stops the run. A process \
        past its `timeout:` (or the run past --timeout-all) is stopped and exits 124. \
        Interrupted by SIGINT or SIGTERM it stops everything and exits 130 or 143; a \
        target that did not finish is reported as stopped or not run, never as passed.

        orch run [--needs db,redis] -- CMD ARGS... runs one command with the project's \
        environment (env files, PORT, ORCH_PROCESS_NAME=run) and its own stdin, stdout, \
        stderr and exit code; on a terminal it gets Ctrl-C itself. --needs starts those \
        services first and waits until they are ready.

        With GITHUB_ACTIONS=true the summary is also appended to $GITHUB_STEP_SUMMARY \
        and each failed target gets an ::error annotation with its last lines.
        """,
        options: [
            .value("needs", name: "names", help: "With a command after --: services to start first and wait for, e.g. db,redis."),
            .flag("fail-fast", help: "Stop the run as soon as one target fails (default: independent targets finish)."),
            .value("timeout-all", name: "duration", help: "Stop the whole run after this long, e.g. 30m (exit 124)."),
            .value("junit", name: "file", help: "Write a JUnit XML report of every process to this file.", completion: .file),
        ] + ConfigOptions.options + OutputOptions.options + ControlFlags.options,
        arguments: [ArgumentSpec("names", help: "Processes to run (default: every job); or, after --, one command and its arguments.",
                                 repeating: true, optional: true, completion: ProcessNameCompletion.names)],
        run: { try Run($0).run() }
    )

    /// The names before `--`, and the command after it (nil: no `--`). The
    /// terminator is the first argument that is exactly `--` (an option cannot take
    /// it as its value, `--junit=--` is one argument); every argument after it is
    /// part of the command.
    var split: (names: [String], command: [String]?)
    var needs: String?
    var failFast: Bool
    var timeoutAll: String?
    var junit: String?
    var config: ConfigOptions
    var output: OutputOptions
    var control: ControlFlags

    init(_ parsed: Parsed) throws {
        let words = parsed.arguments("names")
        let command = parsed.afterTerminator
        split = (Array(words.dropLast(command?.count ?? 0)), command)
        needs = parsed.string("needs")
        failFast = parsed.flag("fail-fast")
        timeoutAll = parsed.string("timeout-all")
        junit = parsed.string("junit")
        config = try ConfigOptions(parsed)
        output = try OutputOptions(parsed)
        control = try ControlFlags(parsed)
        try refuseEmpty(junit, "--junit", example: "--junit report.xml")
    }

    func run() throws {
        blockSignalsForSupervision()
        let loadOptions = try config.loadOptions(stopTimeout: output.stopTimeout(), controlPort: control.controlPort)
        let spec = try config.load(loadOptions)
        let runTimeout = try parseTimeoutAll()
        try prepareJUnit()
        let (names, command) = split
        if let command {
            guard !command.isEmpty else {
                printError("orch: nothing after --: give the command to run, e.g. `orch run -- bin/test`, or name processes without --")
                throw ExitCode(2)
            }
            guard names.isEmpty else {
                printError("orch: name processes to run or give a command after --, not both (use --needs \(names.joined(separator: ",")) to start them for the command)")
                throw ExitCode(2)
            }
            throw ExitCode(try runCommand(command, spec, runTimeout: runTimeout))
        }
        if let needs {
            printError("orch: --needs \(needs) goes with a command after --, e.g. `orch run --needs \(needs) -- sh`")
            throw ExitCode(2)
        }
        try validateNames(names, in: spec)
        var targets = names
        if targets.isEmpty {
            targets = spec.processes.filter { $0.kind == .job && $0.replicas > 0 }.map(\.name)
            if targets.isEmpty {
                printError("orch: \(displayPath(spec.configFile)) has no jobs to run: name the processes to run, e.g. `orch run \(spec.processes.first?.name ?? "tests")`")
                throw ExitCode(2)
            }
        }
        try refuseUnrunnable(targets, in: spec)
        // A service named as a target runs until it exits, like a job: said up front,
        // as one that never exits keeps the run (and the CI job) waiting.
        for name in targets {
            guard let process = spec.process(named: name), process.kind == .service, process.timeout == nil, runTimeout == nil else { continue }
            printError("orch: \(name) is a service: `orch run` waits until it exits (add `timeout:` to it or --timeout-all to cap the wait; to run a command against it, `orch run --needs \(name) -- CMD`)")
        }
        var options = RuntimeOptions(style: output.style(timestampsByDefault: !Descriptor.isTerminal(1)),
                                     orphanTimeout: try output.stopTimeout() ?? .seconds(5),
                                     control: control.options(for: spec, loadOptions: loadOptions))
        options.failFast = failFast
        options.runTimeout = runTimeout
        guard let runtime = makeRuntime(spec, selected: nil, mode: .run(targets: Set(targets)), options: options) else { throw ExitCode(2) }
        let code = runtime.run()
        let results = runtime.results()
        if output.logFormat == .json {
            Descriptor.writeAll(1, Array(summaryJSON(results).utf8))
        } else {
            Descriptor.writeAll(1, Array(("\n" + summaryTable(results, color: output.useColor)).utf8))
        }
        let environment = currentEnvironment()
        if environment["GITHUB_ACTIONS"] == "true" {
            Descriptor.writeAll(1, Array(githubAnnotations(results).utf8))
            if let path = environment["GITHUB_STEP_SUMMARY"], !path.isEmpty {
                do {
                    let fd = try Files.openAppend(path)
                    Descriptor.writeAll(fd, Array(githubStepSummary(results, exitCode: code).utf8))
                    Descriptor.close(fd)
                } catch {
                    printError("orch: cannot append to GITHUB_STEP_SUMMARY \(path): \(error)")
                }
            }
        }
        try writeJUnit(results, code: code)
        throw ExitCode(code)
    }

    private func parseTimeoutAll() throws -> Duration? {
        guard let timeoutAll else { return nil }
        guard let duration = DurationParser.parse(timeoutAll), duration > .zero else {
            printError("orch: --timeout-all '\(ConfigDiagnostic.excerpt(timeoutAll))' is not a duration (use e.g. 30m, 1h30m)")
            throw ExitCode(2)
        }
        return duration
    }

    /// Makes the missing directories of the --junit file before anything starts, so
    /// a path that can never be written is said at once (exit 2), not after the run.
    private func prepareJUnit() throws {
        do {
            try makeJUnitDirectory()
        } catch {
            junitError(error)
            throw ExitCode(2)
        }
    }

    /// Writes the report. One that cannot be written fails a run that passed: a CI
    /// job that reads the file would otherwise miss it behind a green step.
    private func writeJUnit(_ results: [InstanceResult], code: Int32) throws {
        guard let junit else { return }
        do {
            try makeJUnitDirectory()
            try Descriptor.writeFile(junit, Array(junitReport(results, suite: "orch").utf8))
        } catch {
            junitError(error)
            throw ExitCode(code == 0 ? 1 : code)
        }
    }

    private func makeJUnitDirectory() throws(SystemError) {
        guard let junit, let slash = junit.lastIndex(of: "/"), slash != junit.startIndex else { return }
        try Files.makeDirectories(String(junit[..<slash]))
    }

    private func junitError(_ error: SystemError) {
        printError("orch: cannot write the JUnit report (--junit): \(error); give --junit a file orch can create")
    }

    /// `orch run [--needs …] -- CMD ARGS…`: the command as the only target, with the
    /// needed services (and what they depend on) and nothing else of the config.
    private func runCommand(_ command: [String], _ loaded: ProjectSpec, runTimeout: Duration?) throws -> Int32 {
        let needed = (needs ?? "").split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty }
        try validateNames(needed, in: loaded)
        try refuseUnrunnable(needed, in: loaded)
        var spec = loaded
        let closure = Supervisor.closure(of: needed, in: spec)
        if closure.contains(Run.commandName) {
            printError("orch: a process named '\(Run.commandName)' cannot be needed by a command: `orch run \(Run.commandName)` runs it")
            throw ExitCode(2)
        }
        spec.processes = spec.processes.filter { closure.contains($0.name) }
        var process = ProcessSpec(
            name: Run.commandName, command: command.map(shellQuoted).joined(separator: " "), cwd: startDirectory,
            environment: spec.environment, port: spec.basePort, kind: .job, replicas: 1, restart: .no,
            dependsOn: needed.map { Dependency(name: $0, condition: spec.process(named: $0)?.kind == .job ? .succeeded : .ready) })
        process.arguments = command
        process.foreground = true
        if let stopTimeout = try output.stopTimeout() { process.stop.timeout = stopTimeout }
        spec.processes.append(process)
        var options = RuntimeOptions(style: output.style(timestampsByDefault: false),
                                     orphanTimeout: try output.stopTimeout() ?? .seconds(5), control: nil)
        options.oneOff = true
        options.quiet = needed.isEmpty
        options.runTimeout = runTimeout
        guard let runtime = makeRuntime(spec, selected: nil, mode: .run(targets: [Run.commandName]), options: options) else { throw ExitCode(2) }
        let code = runtime.run()
        try writeJUnit(runtime.results(), code: code)
        return code
    }

    /// The instance name and ORCH_PROCESS_NAME of a command after --.
    static let commandName = "run"
}

/// Named targets and everything they depend on must be able to run: a process with
/// 0 replicas never would, and waiting for it would never end (exit 2 before anything starts).
func refuseUnrunnable(_ targets: [String], in spec: ProjectSpec) throws {
    let closure = Supervisor.closure(of: targets, in: spec)
    var bad = false
    for process in spec.processes where closure.contains(process.name) && process.replicas == 0 {
        let why = targets.contains(process.name) ? "it" : "\(targets.filter { Supervisor.closure(of: [$0], in: spec).contains(process.name) }.joined(separator: ", ")) needs it, but it"
        printError("orch: cannot run '\(process.name)': \(why) has 0 replicas (replicas: 0 or -m \(process.name)=0); to keep a job out of `orch up`, use `autostart: false` instead")
        bad = true
    }
    if bad { throw ExitCode(2) }
}

/// A word as sh reads it back unchanged: bare when safe, else in single quotes.
func shellQuoted(_ word: String) -> String {
    let safe = !word.isEmpty && word.unicodeScalars.allSatisfy { c in
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/", ",", ":", "+", "@", "%", "=": return true
        default: return false
        }
    }
    return safe ? word : "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}
