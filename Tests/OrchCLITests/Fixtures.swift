import Testing
@testable import OrchCLI

/// Small hand-built command tables, shaped like orch's (a group with aliases, value
/// options that repeat or not, flags, an inversion, optional and required
/// positionals), so the parser, help, completion and manual are tested apart from
/// the commands of the executable.
enum Fixture {
    enum Color: String, CaseIterable { case auto, always, never }

    static let runOptions: [OptionSpec] = [
        .value("file", short: "f", name: "file", help: "Config file.", completion: .file),
        .value("env", short: "e", name: "file", help: "Env file to load (repeatable).", repeating: true, completion: .file),
        .value("count", short: "n", name: "count", help: "How many.", default: "default: 1"),
        .value("color", name: "when", help: "When to colour.", completion: .list(["auto", "always", "never"])),
        .value("dir", name: "dir", help: "Working directory.", completion: .directory),
        .flag("all", short: "a", help: "Everything."),
        .flag("brief", short: "b", help: "Say less."),
        .inversion("timestamps", help: "Prefix lines with the time."),
    ]

    static let run = CommandSpec(
        "run", abstract: "Run things.", options: runOptions,
        arguments: [ArgumentSpec("names", help: "What to run.", repeating: true, optional: true, completion: .list(["web", "worker", "db"]))],
        run: { _ in })

    /// Two required positionals and an optional one, no options.
    static let copy = CommandSpec(
        "copy", abstract: "Copy a file.",
        arguments: [
            ArgumentSpec("source", help: "The file to copy.", completion: .file),
            ArgumentSpec("target", help: "Where to.", completion: .directory),
            ArgumentSpec("mode", help: "How.", optional: true, completion: .list(["fast", "slow"])),
        ],
        run: { _ in })

    /// A required repeating positional.
    static let kill = CommandSpec(
        "kill", abstract: "Stop processes.",
        arguments: [ArgumentSpec("names", help: "Whom to stop.", repeating: true)],
        run: { _ in })

    static let ps = CommandSpec(
        "ps", aliases: ["status"], abstract: "Show the processes.",
        options: [.flag("json", help: "Print JSON.")],
        run: { _ in })

    static let logs = CommandSpec(
        "logs", abstract: "Show the output.",
        options: [
            .value("lines", short: "n", name: "lines", help: "How many lines."),
            .flag("follow", short: "f", help: "Keep printing."),
        ],
        arguments: [ArgumentSpec("names", help: "Whose output.", repeating: true, optional: true,
                                 completion: .dynamic { words in ["web", "worker"] + (words.contains("--more") ? ["db"] : []) })],
        run: { _ in })

    static let ctl = CommandSpec("ctl", abstract: "Talk to a running tool.", subcommands: [ps, logs])

    static let root = CommandSpec(
        "tool", abstract: "A tool to test the command line with.",
        discussion: "It runs things.\n\nEXAMPLES\n  tool run web     run web",
        subcommands: [run, copy, kill, ctl])

    /// What a request is, as one comparable line.
    static func describe(_ request: Request) -> String {
        switch request {
        case let .run(command, parsed):
            return command.name == parsed.path.last ? "run \(parsed.path.joined(separator: " "))" : "run \(command.name) at \(parsed.path)"
        case let .help(path): return (["help"] + path).joined(separator: " ")
        case .version: return "version"
        case let .completionScript(shell): return "script \(shell)"
        case let .complete(index, words): return "complete \(index) \(words.joined(separator: " "))"
        case let .manual(date): return "manual \(date)"
        }
    }

    /// What the parser makes of `words`: the request's description or the error's message.
    static func outcome(_ words: [String]) -> String {
        do {
            return describe(try Parser.parse(root, words))
        } catch {
            return "Error: \(error.description)"
        }
    }

    /// The parsed command line, which must ask to run a command.
    static func parsed(_ words: [String]) throws -> Parsed {
        let request = try Parser.parse(root, words)
        guard case let .run(_, parsed) = request else { throw Unexpected(request: describe(request)) }
        return parsed
    }

    /// The usage error for `words`, which must be one.
    static func usageError(_ words: [String]) -> UsageError? {
        do {
            let request = try Parser.parse(root, words)
            Issue.record("expected a usage error, got \(describe(request))")
            return nil
        } catch {
            return error
        }
    }

    struct Unexpected: Error, CustomStringConvertible {
        let request: String
        var description: String { "not a run: \(request)" }
    }
}
