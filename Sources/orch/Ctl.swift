import OrchCLI
import OrchClient
import OrchConfig
import OrchProtocol
import OrchRuntime
import OrchSystem

/// How `orch ctl` finds the running orch.
struct CtlOptions {
    static let options: [OptionSpec] = [
        .value("file", name: "file", help: "Config file whose project to talk to (default: found from the current directory).", completion: .file),
        .value("control", name: "address", help: "Control address HOST:PORT or unix:PATH (or ORCH_CONTROL), with the token in ORCH_TOKEN or --token-file."),
        .value("token-file", name: "file", help: "File holding the control token (a state file works too).", completion: .file),
        .flag("json", help: "Print JSON instead of a table."),
        .value("timeout", name: "duration", help: "How long to wait for orch to connect and answer, e.g. 500ms, 10s.", default: "default: 5s"),
    ]

    var file: String?
    var control: String?
    var tokenFile: String?
    var json: Bool
    var timeout: String

    init(_ parsed: Parsed) throws {
        file = parsed.string("file")
        control = parsed.string("control")
        tokenFile = parsed.string("token-file")
        json = parsed.flag("json")
        timeout = parsed.string("timeout") ?? "5s"
        try refuseEmpty(file, "--file", example: "--file orch.yaml")
        try refuseEmpty(tokenFile, "--token-file", example: "--token-file ~/.orch-token")
    }

    /// Connects and authenticates, or prints one line and exits 1.
    func connect() throws -> ControlClient {
        // orch ctl supervises nothing: Ctrl-C, SIGTERM and a closed pipe end it.
        SignalFD.unblockSignals()
        guard let limit = DurationParser.parse(timeout), limit > .zero else {
            printError("orch: --timeout '\(timeout)' is not a duration (use e.g. 500ms, 5s, 1m)")
            throw ExitCode(2)
        }
        let discovery = EndpointDiscovery(
            control: control, tokenFile: tokenFile, projectDirectory: projectDirectory(),
            currentDirectory: currentDirectory(), environment: currentEnvironment())
        do {
            return try ControlClient(discovery.find(), timeout: limit)
        } catch {
            printError("orch: \(error)")
            throw ExitCode(1)
        }
    }

    /// The directory of `--file`, or of the config discovered from here (nil: none).
    private func projectDirectory() -> String? {
        let cwd = currentDirectory()
        if let file {
            let path = normalized(file.hasPrefix("/") ? file : cwd + "/" + file)
            if Files.isDirectory(path) { return path }
            return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
        }
        return ConfigLoader.discover(from: cwd).map { String($0[..<($0.lastIndex(of: "/") ?? $0.endIndex)]) }
    }

    /// `/a/b/../c/./d` → `/a/c/d`.
    private func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// Runs a call, turning a failure into one line and exit 1.
    func call(_ client: ControlClient, _ method: Method, _ params: Params = Params()) throws -> ResultBody {
        do {
            return try client.call(method, params)
        } catch {
            printError("orch: \(error)")
            throw ExitCode(1)
        }
    }

    func printJSON<T: Encodable>(_ value: T) throws {
        try writeOut(Wire.encode(value))
    }
}

/// Writes all of `bytes` to stdout, or says on stderr why it cannot (stdout closed,
/// a full disk) and exits 1: a `orch ctl ps >/dev/full` that printed nothing must not
/// look like success. A closed pipe ends orch ctl by SIGPIPE, like any filter.
func writeOut(_ bytes: [UInt8]) throws {
    var offset = 0
    while offset < bytes.count {
        let failure: String
        do {
            switch try Descriptor.write(1, bytes, offset: offset) {
            case let .wrote(n) where n > 0:
                offset += n
                continue
            case .wouldBlock:
                // A non-blocking stdout that someone else set: wait until it drains.
                _ = Descriptor.waitWritable(1, timeoutMilliseconds: -1)
                continue
            case .brokenPipe: failure = "cannot write to stdout: the reader is gone"
            case .wrote: failure = "cannot write to stdout: it accepts nothing"
            }
        } catch {
            failure = error.isClosedDescriptor
                ? "stdout is closed (give orch one, e.g. >/dev/null to discard the output)"
                : "cannot write to stdout: \(error.reason)"
        }
        printError("orch: \(failure)")
        throw ExitCode(1)
    }
}

/// `print` for orch ctl: one line to stdout, a failure reported (see `writeOut`).
func printOut(_ line: String) throws {
    try writeOut(Array((line + "\n").utf8))
}

enum Ctl {
    static let spec = CommandSpec(
        "ctl",
        abstract: "Talk to a running orch over its control port.",
        discussion: """
        orch ctl finds the orch running for the project of the current directory (or \
        any parent) through its state file, authenticates with the token in it, and \
        sends one request. It exits non-zero with a one-line reason on any failure.
        """,
        subcommands: [Ps.spec, Start.spec, Stop.spec, Restart.spec, SignalCommand.spec, Scale.spec, Logs.spec, Events.spec, Reload.spec, Down.spec]
    )

    struct Ps {
        static let spec = CommandSpec("ps", aliases: ["status"], abstract: "Show every process: state, pid, uptime, restarts, last exit, readiness, PORT, CPU, memory.",
                                      options: CtlOptions.options, run: { try Ps(ctl: CtlOptions($0)).run() })
        var ctl: CtlOptions

        func run() throws {
            let client = try ctl.connect()
            let result = try ctl.call(client, .status)
            if ctl.json { return try ctl.printJSON(result) }
            try writeOut(Array(statusTable(result.processes ?? [], color: Descriptor.isTerminal(1) && currentEnvironment()["NO_COLOR"] == nil).utf8))
        }
    }

    enum Start {
        static let spec = CommandSpec(
            "start", abstract: "Start processes (a name, an instance like web.2, or all).",
            options: CtlOptions.options + WaitOptions.options,
            arguments: [ArgumentSpec("names", help: "Processes to start.", repeating: true, completion: ProcessNameCompletion.namesOrAll)],
            run: { try simple(.start, $0.arguments("names"), CtlOptions($0), WaitOptions($0)) })
    }

    enum Stop {
        static let spec = CommandSpec(
            "stop", abstract: "Stop processes; they stay stopped and do not stop orch.",
            options: CtlOptions.options + WaitOptions.options,
            arguments: [ArgumentSpec("names", help: "Processes to stop.", repeating: true, completion: ProcessNameCompletion.namesOrAll)],
            run: { try simple(.stop, $0.arguments("names"), CtlOptions($0), WaitOptions($0)) })
    }

    enum Restart {
        static let spec = CommandSpec(
            "restart", abstract: "Restart processes; each new instance starts once the old one's process group is gone.",
            options: CtlOptions.options + WaitOptions.options,
            arguments: [ArgumentSpec("names", help: "Processes to restart.", repeating: true, completion: ProcessNameCompletion.namesOrAll)],
            run: { try simple(.restart, $0.arguments("names"), CtlOptions($0), WaitOptions($0)) })
    }

    enum SignalCommand {
        static let spec = CommandSpec(
            "signal", abstract: "Send a signal to processes' groups, e.g. `orch ctl signal web HUP`.",
            options: CtlOptions.options,
            arguments: [ArgumentSpec("name", help: "Process (or instance, or all).", completion: ProcessNameCompletion.namesOrAll),
                        ArgumentSpec("signal", help: "Signal name or number.", completion: .list(SignalName.names))],
            run: { try run(name: $0.argument("name") ?? "", signal: $0.argument("signal") ?? "", ctl: CtlOptions($0)) })

        static func run(name: String, signal: String, ctl: CtlOptions) throws {
            let client = try ctl.connect()
            let result = try ctl.call(client, .signal, Params(names: [name], signal: signal))
            if ctl.json { return try ctl.printJSON(result) }
            try printOut(result.message ?? "ok")
        }
    }

    enum Scale {
        static let spec = CommandSpec(
            "scale", abstract: "Change the number of replicas, e.g. `orch ctl scale web=3`.",
            options: CtlOptions.options,
            arguments: [ArgumentSpec("formation", help: "NAME=COUNT")],
            run: { try run(formation: $0.argument("formation") ?? "", ctl: CtlOptions($0)) })

        static func run(formation: String, ctl: CtlOptions) throws {
            let parts = formation.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let count = Int(parts[1]) else {
                printError("orch: scale needs NAME=COUNT, e.g. web=3")
                throw ExitCode(2)
            }
            let client = try ctl.connect()
            let result = try ctl.call(client, .scale, Params(names: [String(parts[0])], count: count))
            if ctl.json { return try ctl.printJSON(result) }
            try printOut(result.message ?? "ok")
        }
    }

    struct Logs {
        static let spec = CommandSpec(
            "logs", abstract: "Print the last lines of processes' output; -f keeps following.",
            options: [
                .value("lines", short: "n", name: "lines", help: "Lines per instance.", default: "default: 100"),
                .flag("follow", short: "f", help: "Keep printing new lines until interrupted."),
                .value("color", name: "color", help: "Colour the name prefixes as orch up does: auto (on a terminal, unless NO_COLOR is set), always, never.",
                       default: "values: auto, always, never; default: auto", completion: .list(ColorChoice.allCases.map(\.rawValue))),
            ] + CtlOptions.options,
            arguments: [ArgumentSpec("names", help: "Processes (default: all).", repeating: true, optional: true, completion: ProcessNameCompletion.namesOrAll)],
            run: { try Logs($0).run() })

        var names: [String]
        var lines: Int
        var follow: Bool
        var color: ColorChoice
        var ctl: CtlOptions

        init(_ parsed: Parsed) throws {
            names = parsed.arguments("names")
            lines = try parsed.int("lines") ?? 100
            follow = parsed.flag("follow")
            color = try parsed.choice("color", ColorChoice.self) ?? .auto
            ctl = try CtlOptions(parsed)
        }

        func run() throws {
            let client = try ctl.connect()
            let colored = !ctl.json && color.enabled
            // orch up colours by the process's place in the config: status lists them in that order.
            var order: [String] = []
            if colored {
                for row in try ctl.call(client, .status).processes ?? [] where !order.contains(row.process) { order.append(row.process) }
            }
            let result = try ctl.call(client, .logs, Params(names: names.isEmpty ? nil : names, lines: lines, follow: follow))
            let all = result.lines ?? []
            var prefixes = Prefixes(names: all.map(\.process), processOrder: order, style: OutputStyle(color: colored))
            func show(_ line: LogLine) throws {
                if ctl.json { return try ctl.printJSON(line) }
                // Instances are `web` or `web.2`; process names have no dot.
                let process = String(line.process.prefix { $0 != "." })
                try writeOut(prefixes.prefix(for: line.process, process: process) + Array("\(line.line)\n".utf8))
            }
            try all.forEach(show)
            guard follow else { return }
            while let note = try? client.readResponse() {
                if let line = note.log { try show(line) }
            }
        }
    }

    struct Events {
        static let spec = CommandSpec("events", abstract: "Follow orch's events (started, exited, restarting...) until interrupted.",
                                      options: CtlOptions.options, run: { try Events(ctl: CtlOptions($0)).run() })
        var ctl: CtlOptions
        func run() throws {
            let client = try ctl.connect()
            _ = try ctl.call(client, .events)
            printError("orch: following events (Ctrl-C to stop)")
            while let note = try? client.readResponse() {
                guard let event = note.event else { continue }
                // Unbuffered: a follower reads each event as it happens.
                if ctl.json { try ctl.printJSON(event) } else { try writeOut(Array((event.event + "\n").utf8)) }
            }
        }
    }

    struct Reload {
        static let spec = CommandSpec("reload", abstract: "Re-read the config: restart changed processes, start added ones, stop removed ones.",
                                      options: CtlOptions.options, run: { try Reload(ctl: CtlOptions($0)).run() })
        var ctl: CtlOptions
        func run() throws {
            let client = try ctl.connect()
            let result = try ctl.call(client, .reload)
            if ctl.json { return try ctl.printJSON(result) }
            let report = result.reload ?? ReloadReport()
            func line(_ label: String, _ names: [String]) throws { if !names.isEmpty { try printOut("\(label): \(names.joined(separator: ", "))") } }
            try line("restarted", report.restarted)
            try line("scaled", report.scaled ?? [])
            try line("started", report.started)
            try line("stopped", report.stopped)
            try line("unchanged", report.unchanged)
        }
    }

    struct Down {
        static let spec = CommandSpec("down", abstract: "Stop every process and orch itself.",
                                      options: CtlOptions.options + WaitOptions.options, run: { try Down(ctl: CtlOptions($0), wait: WaitOptions($0)).run() })
        var ctl: CtlOptions
        var wait: WaitOptions
        func run() throws {
            let deadline = try wait.deadline()
            let client = try ctl.connect()
            let pid = try ctl.call(client, .status).pid
            let result = try ctl.call(client, .shutdown)
            if ctl.json { try ctl.printJSON(result) } else { try printOut(result.message ?? "stopping") }
            if wait.wait, let pid { try waitForExit(of: pid, deadline: deadline) }
        }
    }
}

/// `orch ps`: short for `orch ctl ps`.
enum PsShort {
    static let spec = CommandSpec("ps", abstract: "Short for `orch ctl ps`.", options: CtlOptions.options,
                                  run: { try Ctl.Ps(ctl: CtlOptions($0)).run() })
}

/// `orch restart NAME`: short for `orch ctl restart NAME`.
enum RestartShort {
    static let spec = CommandSpec(
        "restart", abstract: "Short for `orch ctl restart`.",
        options: CtlOptions.options + WaitOptions.options,
        arguments: [ArgumentSpec("names", help: "Processes to restart.", repeating: true, completion: ProcessNameCompletion.namesOrAll)],
        run: { try simple(.restart, $0.arguments("names"), CtlOptions($0), WaitOptions($0)) })
}

private func simple(_ method: Method, _ names: [String], _ ctl: CtlOptions, _ wait: WaitOptions) throws {
    let deadline = try wait.deadline()
    let client = try ctl.connect()
    let result = try ctl.call(client, method, Params(names: names))
    let affected = result.affected ?? []
    if ctl.json {
        try ctl.printJSON(result)
    } else if affected.isEmpty {
        try printOut(result.message ?? "nothing to do")
    } else {
        let verb = method == .start ? "starting" : method == .stop ? "stopping" : "restarting"
        try printOut("\(verb): \(affected.joined(separator: ", "))")
    }
    if wait.wait && !affected.isEmpty {
        try waitFor(method, affected, client: client, ctl: ctl, deadline: deadline)
    }
}

func statusTable(_ rows: [ProcessStatus], color: Bool) -> String {
    var table: [[String]] = [["NAME", "STATE", "PID", "UPTIME", "RESTARTS", "LAST EXIT", "READY", "PORT", "CPU", "MEM"]]
    for row in rows {
        table.append([
            row.name, row.state, row.pid.map(String.init) ?? "-", row.uptimeSeconds.map { formatSeconds($0) } ?? "-",
            String(row.restarts), row.lastExit ?? "-", row.ready ? "yes" : (row.state == "running" ? "no" : "-"), row.port ?? "-",
            row.cpuSeconds.map { formatSeconds($0) } ?? "-", row.memoryBytes.map(formatBytes) ?? "-",
        ])
    }
    let widths = (0..<table[0].count).map { c in table.map { $0[c].count }.max() ?? 0 }
    var out = ""
    for (r, row) in table.enumerated() {
        var cells = row.enumerated().map { pad($0.element, widths[$0.offset]) }
        if color && r > 0 {
            let code = ["running": "32", "stopping": "33", "backoff": "33", "waiting": "36", "starting": "36", "failed": "31", "exited": "31"][row[1]] ?? "2"
            cells[1] = "\u{1B}[\(code)m\(cells[1])\u{1B}[0m"
        }
        var line = cells.joined(separator: "  ")
        while line.last == " " { line.removeLast() }
        out += line + "\n"
    }
    return out
}

func formatSeconds(_ value: Double) -> String {
    if value < 60 { return value < 10 ? "\(Int(value * 10) / 10).\(Int(value * 10) % 10)s" : "\(Int(value))s" }
    let seconds = Int(value)
    if seconds < 3600 { return "\(seconds / 60)m\(seconds % 60)s" }
    return "\(seconds / 3600)h\(seconds % 3600 / 60)m"
}

func formatBytes(_ value: Int) -> String {
    if value < 1 << 20 { return "\(value >> 10)K" }
    return "\(value >> 20).\(((value % (1 << 20)) * 10) >> 20)M"
}
