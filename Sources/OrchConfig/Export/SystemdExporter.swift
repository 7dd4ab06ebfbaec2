/// `orch export systemd DIR`: one service unit per process instance and a
/// `APP.target` that wants them all, so `systemctl enable --now APP.target` runs
/// the project under systemd the way `orch up` runs it (systemd.service(5),
/// systemd.unit(5), systemd.kill(5)).
///
/// - Each instance runs its command through `/bin/sh -c`, in its `cwd`, with the
///   environment the config gives it (env files, `env`) plus `PORT` and
///   `ORCH_PROCESS_NAME` per instance; orch's own environment is not copied, the
///   service gets systemd's.
/// - `restart` becomes `Restart=` with `RestartSec=` from the backoff's first
///   delay (systemd restarts at a fixed delay); `max_restarts` becomes the start
///   limit; `stop` becomes `KillSignal=` and `TimeoutStopSec=`; the whole control
///   group is signalled, as orch signals the whole process group.
/// - `depends_on` becomes `After=` plus `Requires=` (or `Wants=` for
///   `completed`, which starts the dependent whatever the job's code). A job that
///   others wait for with `completed` or `succeeded` is `Type=oneshot` with
///   `RemainAfterExit=yes`, so its start finishes when it has exited; an exec or
///   tcp readiness probe becomes an `ExecStartPost=` loop, so the start of a
///   service finishes when it is ready and `ready` dependents wait for that.
/// - A job's `timeout` ends it as failed: `RuntimeMaxSec=` (`TimeoutStartSec=` for
///   a oneshot unit); `autostart: false` keeps the unit out of the target.
public struct SystemdExporter: Exporter {
    public let format = "systemd"
    public let summary = "systemd units: one service per process instance and APP.target (--user for user units)"

    public init() {}

    /// systemd's UNIT_NAME_MAX less its terminating NUL.
    static let maxUnitName = 255

    public func export(_ project: ProjectSpec, options: ExportOptions) throws(ExportError) -> ExportResult {
        guard Exporters.validApp(options.app) else {
            throw ExportError("app name '\(ConfigDiagnostic.excerpt(options.app))' is not a valid unit name prefix: use letters, digits, '_', '-' and '.'")
        }
        guard options.app.utf8.count + ".target".utf8.count <= Self.maxUnitName else {
            throw ExportError("unit name '\(ConfigDiagnostic.excerpt(options.app + ".target"))' is longer than systemd's \(Self.maxUnitName) characters: use a shorter --app")
        }
        var notes: [String] = []
        let processes = project.processes
        // Jobs whose end others wait for: their start must last until they exit.
        var awaited: Set<String> = []
        for process in processes {
            for dependency in process.dependsOn where dependency.condition == .completed || dependency.condition == .succeeded {
                awaited.insert(dependency.name)
            }
        }
        var files: [ExportedFile] = []
        var wanted: [String] = []
        for process in processes {
            if process.replicas == 0 {
                notes.append("\(process.name): 0 replicas, no unit written")
                continue
            }
            for replica in 0..<process.replicas {
                let instance = process.instance(replica: replica, of: process.replicas)
                let unit = unitName(instance.name, app: options.app)
                guard unit.utf8.count <= Self.maxUnitName else {
                    throw ExportError("unit name '\(ConfigDiagnostic.excerpt(unit))' is longer than systemd's \(Self.maxUnitName) characters: use a shorter --app")
                }
                let text = try service(instance, of: process, in: project, awaited: awaited.contains(process.name), options: options, notes: &notes)
                files.append(ExportedFile(name: unit, contents: text))
                // autostart: false stays out of the target, as out of `orch up`.
                if process.autostart { wanted.append(unit) }
            }
        }
        var target = header(options)
        target += "[Unit]\n"
        target += "Description=\(SystemdSyntax.plainValue(options.app) ?? "orch") (orch project, exported from \(SystemdSyntax.plainValue(options.source) ?? "its config"))\n"
        if !wanted.isEmpty { target += "Wants=\(wanted.joined(separator: " "))\n" }
        target += "\n[Install]\n"
        target += "WantedBy=\(options.user ? "default.target" : "multi-user.target")\n"
        files.append(ExportedFile(name: "\(options.app).target", contents: target))
        // Said once per process, not once per replica.
        var seen: Set<String> = []
        return ExportResult(files: files, notes: notes.filter { seen.insert($0).inserted })
    }

    /// `shop-web.service`, `shop-web.2.service`: process names are `[A-Za-z0-9_-]+`,
    /// so a `.` only ever separates the replica number.
    public func unitName(_ instance: String, app: String) -> String {
        "\(app)-\(instance).service"
    }

    func header(_ options: ExportOptions) -> String {
        Exporters.headerLine(format: format, options: options)
    }

    func service(_ instance: InstanceSpec, of process: ProcessSpec, in project: ProjectSpec, awaited: Bool, options: ExportOptions,
                 notes: inout [String]) throws(ExportError) -> String {
        let name = instance.name
        guard !process.command.unicodeScalars.contains("\0") else {
            throw ExportError("process '\(process.name)': its command contains a NUL character, which a unit file cannot hold")
        }
        guard let cwd = SystemdSyntax.plainValue(instance.cwd) else {
            throw ExportError("process '\(process.name)': its cwd '\(instance.cwd)' cannot be written in a unit file (control characters or surrounding spaces)")
        }
        var unit = header(options)
        var comments: [String] = []
        unit += "[Unit]\n"
        unit += "Description=\(options.app) \(name) (orch)\n"
        unit += "PartOf=\(options.app).target\n"

        // Dependencies: every instance of each process depended on.
        var after: [String] = []
        var requires: [String] = []
        var wants: [String] = []
        for dependency in process.dependsOn {
            guard let target = project.process(named: dependency.name), target.replicas > 0 else {
                notes.append("\(process.name): depends on '\(dependency.name)', which has 0 replicas: dependency left out")
                continue
            }
            let units = (0..<target.replicas).map { unitName(target.instanceName(replica: $0, of: target.replicas), app: options.app) }
            after += units
            if dependency.condition == .completed { wants += units } else { requires += units }
            if dependency.condition == .ready, target.ready.map({ !Self.exportsProbe($0.check) }) ?? false {
                notes.append("\(process.name): waits for '\(dependency.name)' to be ready, but its probe cannot be exported: it starts once '\(dependency.name)' has started")
            }
        }
        if !after.isEmpty { unit += "After=\(after.joined(separator: " "))\n" }
        if !requires.isEmpty { unit += "Requires=\(requires.joined(separator: " "))\n" }
        if !wants.isEmpty { unit += "Wants=\(wants.joined(separator: " "))\n" }

        var restart = process.restart
        if awaited, restart == .always {
            // systemd refuses Restart=always on a oneshot unit.
            restart = .onFailure
            notes.append("\(process.name): restart: always becomes on-failure (a job others wait for is a oneshot unit)")
        }
        if restart != .no {
            // orch restarts without limit unless max_restarts says otherwise; systemd
            // would give up after 5 starts in 10s.
            if let limit = process.maxRestarts {
                let burst = limit >= Int(Int32.max) ? Int(Int32.max) : limit + 1
                unit += "StartLimitIntervalSec=infinity\n"
                unit += "StartLimitBurst=\(burst)\n"
            } else {
                unit += "StartLimitIntervalSec=0\n"
            }
        }

        unit += "\n[Service]\n"
        if awaited {
            unit += "Type=oneshot\n"
            unit += "RemainAfterExit=yes\n"
        } else {
            unit += "Type=exec\n"
        }
        unit += "WorkingDirectory=\(cwd)\n"
        for (key, value) in environment(instance, of: process).sorted(by: { $0.key < $1.key }) {
            guard SystemdSyntax.isValidEnvironmentName(key) else {
                throw ExportError("process '\(process.name)': environment variable name '\(key)' cannot be written in a unit file")
            }
            guard SystemdSyntax.isValidEnvironmentValue(value) else {
                throw ExportError("process '\(process.name)': the value of \(key) has control characters, which a unit file cannot hold")
            }
            unit += "Environment=\(SystemdSyntax.environmentAssignment(key: key, value: value))\n"
        }
        unit += "ExecStart=/bin/sh -c \(SystemdSyntax.execArgument(process.command))\n"
        unit += "SyslogIdentifier=\(name)\n"
        if let probe = instance.ready {
            if let script = Self.probeScript(probe) {
                unit += "ExecStartPost=/bin/sh -c \(SystemdSyntax.execArgument(script))\n"
                if !awaited {
                    // The start lasts until the probe passes: as long as orch would wait.
                    unit += "TimeoutStartSec=\(Self.startTimeout(probe))\n"
                }
            } else {
                comments.append("readiness: \(Self.describe(probe.check)) has no systemd equivalent; the unit counts as started once its command runs")
                notes.append("\(process.name): \(Self.describe(probe.check)) readiness probe not exported (exec and tcp probes are)")
            }
        }
        if let timeout = process.timeout, process.kind == .job {
            // orch up applies `timeout` to jobs; a oneshot unit's start lasts until it exits.
            unit += "\(awaited ? "TimeoutStartSec" : "RuntimeMaxSec")=\(SystemdSyntax.timeSpan(timeout))\n"
        }
        unit += "Restart=\(restart.rawValue)\n"
        if restart != .no { unit += "RestartSec=\(SystemdSyntax.timeSpan(process.backoff.initial))\n" }
        unit += "KillMode=control-group\n"
        unit += "KillSignal=\(Self.signalName(process.stop.signal))\n"
        unit += "TimeoutStopSec=\(SystemdSyntax.timeSpan(process.stop.timeout))\n"

        if restart != .no, process.backoff.max > process.backoff.initial {
            comments.append("orch's backoff grows to \(SystemdSyntax.timeSpan(process.backoff.max)); systemd waits RestartSec each time")
        }
        if process.watch != nil {
            comments.append("watch: not exported; restart the unit after a deploy")
            notes.append("\(process.name): watch not exported")
        }
        if !process.autostart {
            comments.append("autostart: false: \(options.app).target does not start it; systemctl start \(unitName(name, app: options.app)) does")
        }
        if process.pty { comments.append("pty: not exported; the command gets no terminal") }
        if let log = process.log {
            comments.append("log: not exported; the output goes to the journal (journalctl -u \(unitName(name, app: options.app))), not \(log.file.replacingNewlines())")
        }
        if !comments.isEmpty {
            unit += "\n" + comments.map { "# \($0)\n" }.joined()
        }
        return unit
    }

    /// The variables the config gives the instance (not orch's own environment),
    /// with its PORT and ORCH_PROCESS_NAME.
    func environment(_ instance: InstanceSpec, of process: ProcessSpec) -> [String: String] {
        var keys = Set(process.configuredEnvironment.keys).union(process.instanceEnvironment.keys)
        keys.insert("PORT")
        keys.insert("ORCH_PROCESS_NAME")
        var result: [String: String] = [:]
        for key in keys { if let value = instance.environment[key] { result[key] = value } }
        return result
    }

    static func exportsProbe(_ check: ProbeCheck) -> Bool {
        switch check {
        case .exec, .tcp: return true
        case .http, .log: return false
        }
    }

    static func describe(_ check: ProbeCheck) -> String {
        switch check {
        case let .tcp(host, port): return "tcp \(host):\(port)"
        case let .http(url): return "http \(url)"
        case let .exec(command): return "exec '\(command.replacingNewlines())'"
        case let .log(text): return "log '\(text.replacingNewlines())'"
        }
    }

    /// A sh(1) script that retries the probe's check every interval until it
    /// passes, or exits 1 after `retries` failures; each check is cut off after
    /// the probe's timeout (timeout(1)). tcp checks use bash's /dev/tcp.
    static func probeScript(_ probe: ReadyProbe) -> String? {
        let check: String
        switch probe.check {
        case let .exec(command):
            check = "/bin/sh -c \(SystemdSyntax.shellWord(command))"
        case let .tcp(host, port):
            check = "/bin/bash -c \(SystemdSyntax.shellWord("exec 3<>/dev/tcp/\(host)/\(port)"))"
        case .http, .log:
            return nil
        }
        var script = ""
        if probe.initialDelay > .zero { script += "sleep \(SystemdSyntax.seconds(probe.initialDelay)); " }
        let attempt = "timeout \(SystemdSyntax.seconds(probe.timeout)) \(check) >/dev/null 2>&1"
        if let retries = probe.retries {
            script += "n=0; until \(attempt); do n=$((n+1)); [ $n -le \(retries) ] || exit 1; sleep \(SystemdSyntax.seconds(probe.interval)); done"
        } else {
            script += "until \(attempt); do sleep \(SystemdSyntax.seconds(probe.interval)); done"
        }
        return script
    }

    /// How long orch would wait for the probe: forever without `retries`, else the
    /// initial delay and every check with its timeout and interval, plus a minute
    /// for the command to get going (systemd's default start timeout is 90s).
    static func startTimeout(_ probe: ReadyProbe) -> String {
        guard let retries = probe.retries else { return "infinity" }
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        let total = seconds(probe.initialDelay) + (Double(retries) + 1) * (seconds(probe.timeout) + seconds(probe.interval)) + 60
        guard total.isFinite, total < 1e9 else { return "infinity" }
        return "\(Int(total.rounded(.up)))s"
    }

    static func signalName(_ number: Int32) -> String {
        let name = SignalName.name(number)
        return name.allSatisfy({ $0.isLetter }) ? "SIG" + name : String(number)
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(map { $0.isNewline ? " " : $0 })
    }
}
