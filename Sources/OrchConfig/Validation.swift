import OrchSystem

/// What `orch up` would refuse, or fail on forever, found while loading, so that
/// `orch check` passes only what `up` can run: text the kernel cannot take (a NUL
/// byte cuts a C string short), the reserved name `all`, a control socket path
/// that cannot be bound, readiness probes whose address cannot be connected to.
extension Loader {
    /// The name `orch ctl` uses for every process.
    static let reservedName = "all"
    /// The name orch's own lines and events carry.
    static let ownName = "orch"

    mutating func validate(_ raw: RawProject, _ processes: [ProcessSpec], control: ControlSpec, configFile: String) {
        func fail(_ location: RawProject.Location, _ message: String) {
            errors.append(ConfigDiagnostic(file: configFile, line: location.line, column: location.column, message: message))
        }
        // `what` is built only for a text that has a NUL: 60 000 processes have
        // a dozen texts each, and building every message first was most of this check.
        func checkText(_ text: String?, _ what: @autoclosure () -> String, at location: RawProject.Location) {
            guard let text, text.containsByte(0) else { return }
            fail(location, "\(what()) contains a NUL byte, which cannot be passed to a program (it would cut the text short): remove it")
        }

        for entry in raw.env {
            checkText(entry.value, "the value of '\(entry.key)' in 'env'", at: entry.location)
        }
        for file in raw.envFiles {
            checkText(file.path, "the path of an 'env_file'", at: file.location)
        }
        checkText(raw.control.socket, "'socket' in 'control'", at: raw.controlSocketLocation)

        // Every process without env or env_file of its own has the same environment
        // (orch's own and the config's): measured once, not once per process.
        var shared: EnvironmentSize?
        let argumentSpace = Processes.argumentSpace
        for (index, process) in raw.processes.enumerated() {
            let name = process.name
            if name == Self.reservedName {
                fail(process.location, "the process name '\(name)' is reserved (`orch ctl restart all` means every process): rename the process")
            } else if name == Self.ownName {
                fail(process.location, "the process name '\(name)' is reserved (orch's own messages are `orch | …` lines and `\"process\":\"orch\"` events, which its output could imitate): rename the process")
            }
            checkText(process.command, "the command of process '\(name)'", at: process.location)
            checkText(process.cwd, "'cwd' of process '\(name)'", at: process.cwd == nil ? process.location : process.cwdLocation)
            for entry in process.env {
                checkText(entry.value, "the value of '\(entry.key)' in the env of process '\(name)'", at: entry.location.line == nil ? process.location : entry.location)
            }
            for file in process.envFiles {
                checkText(file.path, "the path of an 'env_file' of process '\(name)'", at: file.location)
            }
            for path in process.watch?.paths ?? [] { checkText(path, "a 'watch' path of process '\(name)'", at: process.location) }
            for pattern in process.watch?.ignore ?? [] { checkText(pattern, "an 'ignore' pattern of process '\(name)'", at: process.location) }
            checkText(process.log?.file, "'log' file of process '\(name)'", at: process.location)
            let probeLocation = process.readyLocation.line == nil ? process.location : process.readyLocation
            var probeHasNUL = false
            if let check = process.ready?.check {
                for text in Self.texts(of: check) where text.containsByte(0) {
                    checkText(text, "'ready' of process '\(name)'", at: probeLocation)
                    probeHasNUL = true
                    break
                }
            }
            if index < processes.count {
                let size: EnvironmentSize
                if process.env.isEmpty && process.envFiles.isEmpty {
                    size = shared ?? EnvironmentSize(processes[index].environment)
                    shared = size
                } else {
                    size = EnvironmentSize(processes[index].environment)
                }
                let problems = Self.argumentProblems(processes[index], raw: process, environment: size, argumentSpace: argumentSpace)
                for (location, problem) in problems { fail(location, problem) }
            }
            if !probeHasNUL, index < processes.count, let problem = Self.probeProblem(processes[index]) {
                fail(probeLocation, "'ready' of process '\(name)': \(problem)")
            }
            if index < processes.count {
                for path in processes[index].watch?.paths ?? [] where !path.containsByte(0) && !FileSystem.isPresent(path) {
                    warnings.append(ConfigDiagnostic(
                        file: configFile, line: process.location.line, column: process.location.column,
                        message: "'watch' path of process '\(name)' does not exist: \(path)"))
                }
            }
        }

        if let socket = control.socket, !socket.containsByte(0) {
            let location = raw.controlSocketLocation
            let limit = Socket.longestSocketPath
            let directory = Path.directory(of: socket)
            if socket.utf8.count > limit {
                fail(location, "'socket' in 'control' is too long for a Unix socket: '\(socket)' has \(socket.utf8.count) bytes, at most \(limit) fit; choose a shorter path")
            } else if !FileSystem.isDirectory(directory) {
                fail(location, "'socket' in 'control': the directory \(directory) does not exist; create it or choose another path")
            } else if case let .success(kind) = Files.status(socket), kind != .socket {
                // `up` replaces a stale socket file at that path: never a file of the user's.
                fail(location, "'socket' in 'control': \(socket) is \(kind), not a socket; choose a path where orch can create its socket")
            }
        }
    }

    /// What an environment adds to execve(2)'s arguments: every `KEY=value` with its
    /// NUL, and the variables too long for the kernel on their own.
    struct EnvironmentSize {
        var total = 0
        var tooLong: [(key: String, size: Int)] = []

        init(_ environment: [String: String]) {
            for (key, value) in environment {
                let size = key.utf8.count + 1 + value.utf8.count + 1
                total += size
                if size > Processes.longestArgument { tooLong.append((key, size)) }
            }
        }
    }

    /// What execve(2) would refuse with E2BIG, so that every start of the process
    /// fails: the command, a probe's command or one `KEY=value` over the kernel's
    /// limit for a single string, or all of them over its limit for the whole
    /// (`argumentSpace`, ARG_MAX). `environment` is the process's environment measured.
    static func argumentProblems(
        _ process: ProcessSpec, raw: RawProject.Process, environment: EnvironmentSize, argumentSpace: Int
    ) -> [(RawProject.Location, String)] {
        let longest = Processes.longestArgument
        let name = process.name
        var problems: [(RawProject.Location, String)] = []
        func fix() -> String { "the kernel takes at most \(longest - 1) bytes per argument or variable (MAX_ARG_STRLEN, see execve(2))" }
        if Self.longestArgument(ofCommand: process.command) >= longest {
            problems.append((raw.location, "the command of process '\(name)' has \(process.command.utf8.count) bytes: \(fix()); move it into a script"))
        }
        if case let .exec(command)? = process.ready?.check, command.utf8.count >= longest {
            let location = raw.readyLocation.line == nil ? raw.location : raw.readyLocation
            problems.append((location, "the 'ready' command of process '\(name)' has \(command.utf8.count) bytes: \(fix()); move it into a script"))
        }
        let total = process.command.utf8.count + 1 + environment.total
        for (key, size) in environment.tooLong {
            let written = raw.env.first { $0.key == key }?.location
            let location = written.flatMap { $0.line == nil ? nil : $0 } ?? raw.location
            problems.append((location, "the variable '\(key)' of process '\(name)' has \(size - 1) bytes with its name: \(fix()); pass it in a file instead"))
        }
        if problems.isEmpty, total > argumentSpace {
            problems.append((raw.location, "process '\(name)' would get \(total) bytes of command and environment: execve(2) takes at most \(argumentSpace) (ARG_MAX); pass large values in files instead"))
        }
        return problems
    }

    /// The longest string `command` becomes in an argv: the whole command for
    /// `/bin/sh -c`, its longest word for a plain command orch execs itself (the
    /// characters of OrchRuntime's `CommandLine.plainArguments`; words only).
    /// One pass over the bytes: a byte outside that set (any non-ASCII byte is)
    /// makes it a shell command.
    static func longestArgument(ofCommand command: String) -> Int {
        let bytes = command.utf8.span
        var longestWord = 0
        var word = 0
        for index in bytes.indices {
            let byte = bytes[index]
            if byte == UInt8(ascii: " ") {
                longestWord = max(longestWord, word)
                word = 0
            } else if plainBytes[Int(byte)] {
                word += 1
            } else {
                return bytes.count
            }
        }
        return max(longestWord, word)
    }

    /// The bytes of a plain command's words, by value.
    private static let plainBytes: [Bool] = (0...255).map { value in
        switch UInt8(value) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: ","), UInt8(ascii: ":"),
             UInt8(ascii: "+"), UInt8(ascii: "@"), UInt8(ascii: "%"), UInt8(ascii: "="), UInt8(ascii: "^"):
            return true
        default:
            return false
        }
    }

    /// Every string of a probe that reaches the kernel.
    static func texts(of check: ProbeCheck) -> [String] {
        switch check {
        case let .tcp(host, port): return [host, port]
        case let .http(url): return [url]
        case let .exec(command): return [command]
        case let .log(text): return [text]
        }
    }

    /// What is wrong with the probe's address once interpolated as `up` will
    /// (for the first and the last replica, whose PORTs bound the others'), or nil.
    static func probeProblem(_ process: ProcessSpec) -> String? {
        guard let ready = process.ready else { return nil }
        let count = max(process.replicas, 1)
        for replica in Set([0, count - 1]).sorted() {
            guard let check = process.instance(replica: replica, of: count).ready?.check else { continue }
            let original = ready.check
            switch (check, original) {
            case let (.tcp(host, port), .tcp(hostTemplate, portTemplate)):
                guard let number = UInt16(port), number > 0 else {
                    let from = port == portTemplate ? "" : " (from '\(portTemplate)')"
                    return "tcp port '\(port)'\(from) is not a port number (1-65535)"
                }
                if !Socket.isNumericAddress(host) {
                    let from = host == hostTemplate ? "" : " (from '\(hostTemplate)')"
                    return "tcp host '\(host)'\(from) is not an IP address (the probe does not look up names: use e.g. 127.0.0.1, [::1] or localhost)"
                }
            case let (.http(url), .http(template)):
                if let problem = httpProblem(url) {
                    let from = url == template ? "" : " (from '\(template)')"
                    return "the URL '\(url)'\(from) \(problem)"
                }
            default:
                continue
            }
        }
        return nil
    }

    /// The runtime's reading of a probe URL (`http://host[:port][/path]`, host an
    /// IP address or localhost), and what is wrong with `url` by it.
    static func httpProblem(_ url: String) -> String? {
        guard url.hasPrefix("http://") else { return "is not an http:// URL" }
        let authority = url.dropFirst("http://".count).prefix { $0 != "/" }
        var host = Substring(authority)
        if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            let port = authority[authority.index(after: colon)...]
            guard let number = UInt16(port), number > 0 else {
                return "has port '\(port)', which is not a port number (1-65535)"
            }
        }
        if host.isEmpty { return "has no host" }
        if !Socket.isNumericAddress(String(host)) {
            return "has host '\(host)', which is not an IP address (the probe does not look up names: use e.g. 127.0.0.1, [::1] or localhost)"
        }
        return nil
    }
}
