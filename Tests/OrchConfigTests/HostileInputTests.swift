import Foundation
import Testing
@testable import OrchConfig

/// Hostile input to the config side: every number checked, every search bounded,
/// every recursion iterative, and what reaches the kernel free of NUL bytes.
/// Each case here once crashed or hung orch, or let `check` pass what `up` refused.
@Suite struct HostileInputTests {
    // MARK: - Numbers

    @Test(arguments: [
        "RTMIN+2147483647", "RTMIN+2147483648", "RTMAX-2147483648", "RTMAX-2147483647", "RTMIN+9223372036854775807",
        "RTMIN+31", "RTMAX-31", "RTMIN+-1", "RTMAX--1", "RTMIN+", "RTMIN+1+1", "RTMIN+ 1", "SIGRTMIN+99999999999999999999",
        "99999999999", "-2147483648", "2147483647", "4294967311", String(repeating: "9", count: 100_000),
        String(repeating: "RTMIN", count: 10_000),
    ])
    func signalNamesOutOfRangeAreRefused(_ text: String) {
        #expect(SignalName.number(text) == nil)
    }

    @Test(arguments: [
        ("RTMIN+30", Int32(64)), ("RTMAX-30", 34), ("SIGRTMIN+0", 34), ("rtmax-0", 64), ("RTMIN+05", 39), ("64", 64), ("1", 1),
    ])
    func signalNamesInRange(_ text: String, _ expected: Int32) {
        #expect(SignalName.number(text) == expected)
    }

    @Test(arguments: [
        "9223372036.9s", "2562047.99h", "9223372036854775807ns", "9223372036854775808ns", "9223372036854.775807ms",
        "153722867m", "8761h", "8760h1ns", "1h" + String(repeating: "8759h", count: 2), "99999999999999999999999h",
        "0.99999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999s",
        String(repeating: "1s", count: 100_000), String(repeating: "9", count: 1_000_000) + "s",
    ])
    func durationsThatOverflowAreRefused(_ text: String) {
        #expect(DurationParser.parse(text) == nil)
    }

    @Test(arguments: [
        ("8760h", Duration.seconds(8760 * 3600)), ("0.000000001s", .nanoseconds(1)), ("0.0000000009s", .zero),
        ("1.999999999999s", .nanoseconds(1_999_999_999)), ("525600m", .seconds(8760 * 3600)),
    ])
    func durationsAtTheLimits(_ text: String, _ expected: Duration) {
        #expect(DurationParser.parse(text) == expected)
    }

    @Test func durationFormatDoesNotOverflow() {
        #expect(DurationParser.format(.seconds(Int64.max)) == "\(Int64.max)s")
        #expect(DurationParser.format(.seconds(Int64.min)) == "\(Int64.min)s")
        #expect(DurationParser.format(.seconds(90)) == "90s")
    }

    @Test func foremanPortIsChecked() {
        #expect(Loader.foremanPort(base: 5000, index: 3) == 5300)
        #expect(Loader.foremanPort(base: 65535, index: Int.max / 50) == Int.max)
        #expect(Loader.foremanPort(base: Int.max, index: 1) == Int.max)
    }

    // MARK: - Interpolation

    @Test(arguments: [
        ("${B:-${UNSET:-x}}", "x"), ("${UNSET:-${A}}", "a"), ("${A:-${UNSET:-x}}", "a"), ("${X:-${A}}", "ex"),
        ("${UNSET:-a ${X} b}", "a ex b"), ("${UNSET:-$$}", "$"), ("${UNSET:-}", ""), ("${UNSET:-${UNSET2:-deep}}", "deep"),
        ("${X", "${X"), ("${UNSET:-open", "${UNSET:-open"), ("a}b", "a}b"), ("${UNSET:-x}}", "x}"),
        ("${A${X}}", ""), ("${A:=x}", ""), ("$${X}", "${X}"), ("${:-d}", "d"), ("${UNSET:-x ${open}", "${UNSET:-x "),
    ])
    func nestedDefaults(_ text: String, _ expected: String) {
        let env = ["X": "ex", "A": "a"].merging(["B": ""]) { $1 }
        #expect(Interpolation.expand(text, env) == expected)
    }

    @Test func deeplyNestedDefaultsAreLinear() {
        let depth = 200_000
        let text = String(repeating: "${A:-", count: depth) + "x" + String(repeating: "}", count: depth)
        let clock = ContinuousClock()
        var unset = ""
        var set = ""
        let elapsed = clock.measure {
            unset = Interpolation.expand(text, [:])
            set = Interpolation.expand(text, ["A": "value"])
        }
        #expect(unset == "x")
        #expect(set == "value")
        // The quadratic version took over 40 s; linear takes well under a second.
        #expect(elapsed < .seconds(10))
    }

    // MARK: - Recursion and searches

    @Test func aDeepDependencyChainIsSearchedWithoutRecursion() {
        let count = 100_000
        var graph = (0..<count).map { [$0 + 1] }
        graph[count - 1] = [0]
        let cycles = Loader.cycles(graph)
        #expect(cycles.count == 1)
        #expect(cycles.first?.count == count)
        graph[count - 1] = []
        #expect(Loader.cycles(graph).isEmpty)
    }

    @Test func boundedEditDistanceAgreesWithTheFullOne() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcab_-".unicodeScalars)
        for _ in 0..<3000 {
            let a = (0..<Int.random(in: 0...7, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let b = (0..<Int.random(in: 0...7, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
            let full = reference(a, b)
            for limit in 0...4 {
                let bounded = Suggestion.editDistance(a, b, atMost: limit)
                #expect(bounded == (full <= limit ? full : nil), "\(String(String.UnicodeScalarView(a))) / \(String(String.UnicodeScalarView(b))) limit \(limit)")
            }
        }
    }

    /// Optimal string alignment distance, the textbook way.
    func reference(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    @Test func suggestionsForHugeOrManyNamesAreCheap() {
        let names = (0..<20_000).map { "process\($0)" }
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            #expect(Suggestion.nearest(to: String(repeating: "x", count: 1 << 20), in: names) == nil)
            #expect(Suggestion.nearest(to: "process1234x", in: names) == "process1234")
            for i in 0..<20 { _ = Suggestion.nearest(to: "prucess\(i)", in: names) }
        }
        #expect(elapsed < .seconds(10))
        #expect(Suggestion.hint(for: "zzzzzzzz", in: names).count < 1000)
    }

    // MARK: - Messages

    @Test func excerptsAreOneLineOfAtMost200Characters() {
        let long = String(repeating: "é", count: 1_000_000)
        let diagnostic = ConfigDiagnostic(file: "f", line: 1, message: "bad value '\(long)' here, and 'line one\nline two' there")
        #expect(diagnostic.message == "bad value '\(String(repeating: "é", count: 200))…' here, and 'line one…' there")
        #expect(ConfigDiagnostic.excerpt("short") == "short")
        #expect(ConfigDiagnostic.excerpt("a\r\nb") == "a…")
    }

    @Test func atMost50ErrorsArePrinted() {
        let error = ConfigError(diagnostics: (1...120).map { ConfigDiagnostic(file: "f", line: $0, message: "bad") })
        let lines = error.lines()
        #expect(lines.count == 51)
        #expect(lines.last == "and 70 more errors")
        #expect(ConfigError(diagnostics: (1...51).map { ConfigDiagnostic(file: "f", line: $0, message: "bad") }).lines().last == "and 1 more error")
        #expect(error.description.split(separator: "\n").count == 51)
    }

    // MARK: - .env: secrets never printed

    @Test(arguments: [
        ("hunter2secret\n", ".env:1:1: expected KEY=value, found no '='; line skipped"),
        ("export hunter2secret\n", ".env:1:8: expected KEY=value, found no '='; line skipped"),
        ("PASS hunter2secret=1\n", ".env:1:5: invalid variable name: a space is not allowed in a name (use letters, digits and '_', not starting with a digit); line skipped"),
        ("1hunter2secret=1\n", ".env:1:1: invalid variable name: it starts with a digit (use letters, digits and '_', not starting with a digit); line skipped"),
        ("A-hunter2secret=1\n", ".env:1:2: invalid variable name: '-' is not allowed in a name (use letters, digits and '_', not starting with a digit); line skipped"),
        ("=hunter2secret\n", ".env:1:1: no variable name before '='; line skipped"),
        ("TOKEN='abc' hunter2secret\n", ".env:1:13: unexpected text after the closing quote of 'TOKEN'; line skipped"),
        ("TOKEN=\"abc\nhunter2\" secret\n", ".env:2:10: unexpected text after the closing quote of 'TOKEN'; line skipped"),
        ("TOKEN=\"hunter2secret\n", ".env:1:1: unterminated double-quoted value for 'TOKEN'; line skipped"),
    ])
    func dotenvWarningsNameTheKeyAndPositionNotTheValue(_ text: String, _ expected: String) {
        let parsed = Dotenv.parse(text, file: ".env")
        #expect(parsed.warnings.map(\.description) == [expected])
        #expect(parsed.values.isEmpty)
        #expect(!parsed.warnings.contains { $0.description.contains("hunter2") })
    }

    @Test func aNULInAnEnvFileValueIsAnError() {
        let parsed = Dotenv.parse("A=ok\nSECRET=abc\0def\nQ=\"x\0\"\n", file: ".env")
        #expect(parsed.values.map(\.0) == ["A"])
        #expect(parsed.errors.map(\.description) == [
            ".env:2:8: the value of 'SECRET' contains a NUL byte, which no environment can hold: remove it",
            ".env:3:3: the value of 'Q' contains a NUL byte, which no environment can hold: remove it",
        ])
    }
}

/// Loading real files: what `up` refuses, `check` refuses too, naming file:line.
@Suite final class HostileConfigFileTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("orch-hostile-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: directory + "/" + name, atomically: false, encoding: .utf8)
    }

    func errors(_ file: String? = nil, envFiles: [String]? = nil, basePort: Int? = nil) -> [String] {
        do {
            _ = try ConfigLoader.load(LoadOptions(file: file, workingDirectory: directory, envFiles: envFiles, basePort: basePort, environment: [:]))
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func aNULInAProcfileCommandIsAnError() throws {
        try write("Procfile", "web: echo a\nworker: echo before\0after\n")
        #expect(errors() == ["Procfile:2:1: the command of process 'worker' contains a NUL byte, which cannot be passed to a program (it would cut the text short): remove it"])
    }

    @Test(arguments: [
        ("processes:\n  web:\n    command: \"echo \\0\"\n", "orch.yaml:2:3: the command of process 'web'"),
        ("processes:\n  web:\n    command: x\n    cwd: \"/tmp\\0/x\"\n", "orch.yaml:4:10: 'cwd' of process 'web'"),
        ("processes:\n  web:\n    command: x\n    env: {KEY: \"a\\0b\"}\n", "orch.yaml:4:11: the value of 'KEY' in the env of process 'web'"),
        ("env:\n  - \"KEY=a\\0b\"\nprocesses:\n  web: x\n", "orch.yaml:2:5: the value of 'KEY' in 'env'"),
        ("processes:\n  web:\n    command: x\n    ready: {exec: \"true\\0\"}\n", "orch.yaml:4:12: 'ready' of process 'web'"),
        ("processes:\n  web:\n    command: x\n    log: \"out\\0.log\"\n", "orch.yaml:2:3: 'log' file of process 'web'"),
        ("processes:\n  web:\n    command: x\n    watch: [\"src\\0\"]\n", "orch.yaml:2:3: a 'watch' path of process 'web'"),
        ("control: {socket: \"s\\0.sock\"}\nprocesses:\n  web: x\n", "orch.yaml:1:19: 'socket' in 'control'"),
    ])
    func aNULInYAMLIsAnError(_ yaml: String, _ expected: String) throws {
        try write("orch.yaml", yaml)
        #expect(errors() == [expected + " contains a NUL byte, which cannot be passed to a program (it would cut the text short): remove it"])
    }

    @Test(arguments: [
        ("Procfile", "web: x\nall: y\n", "Procfile:2:1: the process name 'all' is reserved (`orch ctl restart all` means every process): rename the process"),
        ("orch.yaml", "processes:\n  all: x\n", "orch.yaml:2:3: the process name 'all' is reserved (`orch ctl restart all` means every process): rename the process"),
        ("Procfile", "orch: y\n", "Procfile:1:1: the process name 'orch' is reserved (orch's own messages are `orch | …` lines and `\"process\":\"orch\"` events, which its output could imitate): rename the process"),
        ("orch.yaml", "processes:\n  orch: x\n", "orch.yaml:2:3: the process name 'orch' is reserved (orch's own messages are `orch | …` lines and `\"process\":\"orch\"` events, which its output could imitate): rename the process"),
    ])
    func theNameAllIsReserved(_ file: String, _ text: String, _ expected: String) throws {
        try write(file, text)
        #expect(errors() == [expected])
    }

    // MARK: - What execve(2) refuses (E2BIG): `check` says so, `up` would fail every start

    static let huge = String(repeating: "x", count: 200_000)
    static let limitText = "the kernel takes at most 131071 bytes per argument or variable (MAX_ARG_STRLEN, see execve(2))"

    @Test(arguments: [
        ("Procfile", "web: echo \"\(huge)\"\n", "Procfile:1:1: the command of process 'web' has 200007 bytes: \(limitText); move it into a script"),
        ("Procfile", "web: echo \(huge)\n", "Procfile:1:1: the command of process 'web' has 200005 bytes: \(limitText); move it into a script"),
        ("orch.yaml", "processes:\n  web:\n    command: sleep 1\n    env: {BIG: \(huge)}\n", "orch.yaml:4:11: the variable 'BIG' of process 'web' has 200004 bytes with its name: \(limitText); pass it in a file instead"),
        ("orch.yaml", "processes:\n  web:\n    command: sleep 1\n    ready: {exec: \"test \(huge)\"}\n", "orch.yaml:4:12: the 'ready' command of process 'web' has 200005 bytes: \(limitText); move it into a script"),
    ])
    func anArgumentTheKernelRefusesIsAnError(_ file: String, _ text: String, _ expected: String) throws {
        try write(file, text)
        #expect(errors() == [expected])
    }

    @Test func aHugeValueFromAnEnvFileIsAnError() throws {
        try write("Procfile", "web: sleep 1\n")
        try write(".env", "BIG=\(Self.huge)\n")
        #expect(errors() == ["Procfile:1:1: the variable 'BIG' of process 'web' has 200004 bytes with its name: \(Self.limitText); pass it in a file instead"])
    }

    @Test func anEnvironmentOverARGMAXIsAnError() throws {
        try write("Procfile", "web: sleep 1\n")
        let value = String(repeating: "y", count: 100_000)
        try write(".env", (0..<40).map { "V\($0)=\(value)\n" }.joined())
        let found = errors()
        #expect(found.count == 1 && found[0].hasPrefix("Procfile:1:1: process 'web' would get ") && found[0].contains("(ARG_MAX)"), "\(found)")
    }

    @Test func aPlainCommandOfManyShortWordsIsFine() throws {
        // orch execs a plain command itself: each word is its own argument.
        try write("Procfile", "web: echo " + Array(repeating: String(repeating: "w", count: 1000), count: 200).joined(separator: " ") + "\n")
        #expect(errors() == [])
    }

    /// A tag orch does not interpret is an error, not silently dropped (the value
    /// would mean something else: `!!binary` ran the base64 text as the command).
    @Test(arguments: [
        ("processes:\n  web: {command: !!binary c2xlZXAgMQ==}\n", "orch.yaml:2:18: invalid YAML: the tag '!!binary' is not supported"),
        ("processes:\n  web: {command: !shell sleep 1}\n", "orch.yaml:2:18: invalid YAML: the tag '!shell' is not supported"),
        ("processes:\n  web: !!set {command: sleep 1}\n", "orch.yaml:2:8: invalid YAML: the tag '!!set' is not supported"),
        ("processes: !!omap\n  - web: sleep 1\n", "orch.yaml:1:12: invalid YAML: the tag '!!omap' is not supported"),
        ("processes:\n  !!timestamp 2001-12-14: sleep 1\n", "orch.yaml:2:3: invalid YAML: the tag '!!timestamp' is not supported"),
    ])
    func anUninterpretedTagIsAnError(_ yaml: String, _ expected: String) throws {
        try write("orch.yaml", yaml)
        let found = errors()
        #expect(found.count == 1 && found[0].hasPrefix(expected), "\(found)")
    }

    @Test func coreTagsForPlainValuesAreAccepted() throws {
        try write("orch.yaml", "processes: !!map\n  web: {command: !!str sleep 1, replicas: !!int 2, optional: !!bool true, env: {A: ! x}}\n")
        #expect(errors() == [])
    }

    /// A name orch's own command line cannot address (it would be read as an option).
    @Test(arguments: [
        ("Procfile", "web: x\n-x: y\n", "Procfile:2:1: invalid process name '-x': a name must not start with '-' (`orch up -x` would read it as an option)"),
        ("Procfile", "--: y\n", "Procfile:1:1: invalid process name '--': a name must not start with '-' (`orch up --` would read it as an option)"),
        ("orch.yaml", "processes:\n  -x: y\n", "orch.yaml:2:3: invalid process name '-x': a name must not start with '-' (`orch up -x` would read it as an option)"),
        ("orch.yaml", "processes:\n  \"-.\": y\n", "orch.yaml:2:3: invalid process name '-.': use letters, digits, '_' and '-'"),
    ])
    func aNameStartingWithADashIsRefused(_ file: String, _ text: String, _ expected: String) throws {
        try write(file, text)
        #expect(errors() == [expected])
    }

    @Test func aControlSocketPathOver107BytesIsAnError() throws {
        let path = "/tmp/" + String(repeating: "s", count: 120) + ".sock"
        try write("orch.yaml", "control: {socket: \(path)}\nprocesses:\n  web: x\n")
        #expect(errors() == ["orch.yaml:1:19: 'socket' in 'control' is too long for a Unix socket: '\(path)' has 130 bytes, at most 107 fit; choose a shorter path"])
    }

    @Test func aControlSocketInAMissingDirectoryIsAnError() throws {
        try write("orch.yaml", "control:\n  socket: missing/orch.sock\nprocesses:\n  web: x\n")
        #expect(errors() == ["orch.yaml:2:11: 'socket' in 'control': the directory \(directory)/missing does not exist; create it or choose another path"])
    }

    @Test func aControlSocketOnAnExistingFileIsAnError() throws {
        try write("orch.yaml", "control:\n  socket: orch.yaml\nprocesses:\n  web: x\n")
        #expect(errors() == ["orch.yaml:2:11: 'socket' in 'control': \(directory)/orch.yaml is a regular file, not a socket; choose a path where orch can create its socket"])
    }

    @Test(arguments: [
        ("{http: \"http://127.0.0.1:99999/health\"}", "the URL 'http://127.0.0.1:99999/health' has port '99999', which is not a port number (1-65535)"),
        ("{http: \"http://127.0.0.1:0/\"}", "the URL 'http://127.0.0.1:0/' has port '0', which is not a port number (1-65535)"),
        ("{http: \"http://example.com/\"}", "the URL 'http://example.com/' has host 'example.com', which is not an IP address (the probe does not look up names: use e.g. 127.0.0.1, [::1] or localhost)"),
        ("{http: $URL}", "the URL 'http://127.0.0.1:70000/' (from '$URL') has port '70000', which is not a port number (1-65535)"),
        ("{http: $NOPE}", "the URL '' (from '$NOPE') is not an http:// URL"),
        ("{tcp: $BAD_PORT}", "tcp port '123456' (from '$BAD_PORT') is not a port number (1-65535)"),
        ("{tcp: \"$HOSTNAME:80\"}", "tcp host 'db.local' (from '$HOSTNAME') is not an IP address (the probe does not look up names: use e.g. 127.0.0.1, [::1] or localhost)"),
    ])
    func probesAreCheckedAsUpWillRunThem(_ ready: String, _ expected: String) throws {
        try write("orch.yaml", "env: {URL: \"http://127.0.0.1:70000/\", BAD_PORT: \"123456\", HOSTNAME: db.local}\nprocesses:\n  web:\n    command: x\n    ready: \(ready)\n")
        #expect(errors() == ["orch.yaml:5:12: 'ready' of process 'web': \(expected)"])
    }

    @Test func aProbeOnThePORTOfAProcessPastTheLastPortIsAnError() throws {
        // foreman's base + 100·i passes 65535 for the second process: it gets no PORT.
        try write("orch.yaml", "processes:\n  a: x\n  web:\n    command: x\n    ready: {http: /health}\n")
        #expect(errors(basePort: 65500) == [
            "orch.yaml:5:12: 'ready' of process 'web': the URL 'http://127.0.0.1:/health' (from 'http://127.0.0.1:$PORT/health') has port '', which is not a port number (1-65535)",
        ])
    }

    @Test func aFIFOIsNotARegularFile() throws {
        let fifo = directory + "/orch.yaml"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(errors() == ["orch.yaml: not a regular file (it is a FIFO): give a file"])
    }

    @Test func aFIFOAsEnvFileIsNotARegularFile() throws {
        try write("Procfile", "web: x\n")
        #expect(mkfifo(directory + "/secrets.env", 0o644) == 0)
        #expect(errors(envFiles: ["secrets.env"]) == ["secrets.env: not a regular file (it is a FIFO): give a file"])
    }

    @Test func aDeviceIsNotARegularFile() throws {
        try write("Procfile", "web: x\n")
        #expect(errors("/dev/null") == ["/dev/null: not a regular file (it is a character device): give a file"])
    }

    @Test func aSymlinkLoopIsNamed() throws {
        try FileManager.default.createSymbolicLink(atPath: directory + "/a", withDestinationPath: directory + "/b")
        try FileManager.default.createSymbolicLink(atPath: directory + "/b", withDestinationPath: directory + "/a")
        #expect(errors("a") == ["a: too many levels of symbolic links (a symlink loop?)"])
    }

    @Test func aSymlinkLoopAsTheDefaultEnvFileIsNamed() throws {
        try write("Procfile", "web: x\n")
        try FileManager.default.createSymbolicLink(atPath: directory + "/.env", withDestinationPath: directory + "/.env")
        #expect(errors() == [".env: too many levels of symbolic links (a symlink loop?)"])
    }

    @Test func tenThousandUnknownDependenciesLoadFast() throws {
        var yaml = "processes:\n"
        for i in 0..<10_000 { yaml += "  proc\(i):\n    command: x\n    depends_on: [prod\(i)]\n" }
        try write("orch.yaml", yaml)
        let clock = ContinuousClock()
        var found: [String] = []
        let elapsed = clock.measure { found = errors() }
        #expect(found.count == 10_000)
        #expect(found.first == "orch.yaml:4:18: process 'proc0' depends on unknown process 'prod0'")
        // Quadratic suggestions took over 40 s.
        #expect(elapsed < .seconds(20))
    }

    @Test func aLongCycleIsShownByItsEnds() throws {
        var yaml = "processes:\n"
        for i in 0..<1000 { yaml += "  p\(i): {command: x, depends_on: [p\((i + 1) % 1000)]}\n" }
        try write("orch.yaml", yaml)
        #expect(errors() == ["orch.yaml:2:33: dependency cycle: p0 -> p1 -> p2 -> p3 -> p4 -> p5 -> … (993 more) -> p999 -> p0"])
    }
}
