import OrchLimits

/// orch's command line as data: every command, option and argument, with its help
/// text and how the shells complete it. The parser, `--help`, the usage errors, the
/// shell completions and the man page all read these tables, so they cannot
/// disagree. Nothing here reflects over types: start-up stays a table walk.

/// What a shell offers for a value.
public enum CompletionKind: Sendable {
    case none
    case file
    case directory
    case list([String])
    /// Computed by orch at completion time from the words typed so far (process
    /// names read from the config those words name).
    case dynamic(@Sendable (_ words: [String]) -> [String])
}

public struct OptionSpec: Sendable {
    public enum Kind: Sendable {
        /// `--json`: present or not.
        case flag
        /// `--timestamps` / `--no-timestamps`: true, false, or not given.
        case inversion
        /// `--file F`, `--file=F`, `-f F`, `-fF`.
        case value(name: String)
    }

    /// The long name without dashes; also the key a command reads the value by.
    public let long: String
    public let short: Character?
    public let kind: Kind
    public let help: String
    /// May be given more than once (every value is kept, in order).
    public let repeating: Bool
    /// Shown after the help text, e.g. `(default: 5s)`.
    public let defaultText: String?
    public let completion: CompletionKind

    public static func flag(_ long: String, short: Character? = nil, help: String) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .flag, help: help, repeating: false, defaultText: nil, completion: .none)
    }

    public static func inversion(_ long: String, help: String) -> OptionSpec {
        OptionSpec(long: long, short: nil, kind: .inversion, help: help, repeating: false, defaultText: nil, completion: .none)
    }

    public static func value(_ long: String, short: Character? = nil, name: String, help: String, repeating: Bool = false,
                             default defaultText: String? = nil, completion: CompletionKind = .none) -> OptionSpec {
        OptionSpec(long: long, short: short, kind: .value(name: name), help: help, repeating: repeating, defaultText: defaultText, completion: completion)
    }

    public var takesValue: Bool {
        if case .value = kind { return true }
        return false
    }

    public var valueName: String? {
        if case let .value(name) = kind { return name }
        return nil
    }

    /// `--file <file>`, `--timestamps/--no-timestamps`, `--json`.
    public var longSynopsis: String {
        switch kind {
        case .flag: return "--\(long)"
        case .inversion: return "--\(long)/--no-\(long)"
        case let .value(name): return "--\(long) <\(name)>"
        }
    }

    /// How an error names the option as the user typed it: `-e <file>` or `--env <file>`.
    func synopsis(asTyped typed: String) -> String {
        if let valueName { return "\(typed) <\(valueName)>" }
        return typed
    }
}

public struct ArgumentSpec: Sendable {
    /// The name shown as `<name>`; also the key a command reads the values by.
    public let name: String
    public let help: String
    /// Takes every remaining positional word.
    public let repeating: Bool
    public let optional: Bool
    public let completion: CompletionKind

    public init(_ name: String, help: String, repeating: Bool = false, optional: Bool = false, completion: CompletionKind = .none) {
        self.name = name
        self.help = help
        self.repeating = repeating
        self.optional = optional
        self.completion = completion
    }

    /// `<names> ...`, `[<names> ...]`, `<name>`, `[<dir>]`.
    public var synopsis: String {
        let core = "<\(name)>" + (repeating ? " ..." : "")
        return optional ? "[\(core)]" : core
    }
}

public struct CommandSpec: Sendable {
    public let name: String
    public let aliases: [String]
    public let abstract: String
    public let discussion: String
    public let options: [OptionSpec]
    public let arguments: [ArgumentSpec]
    public let subcommands: [CommandSpec]
    /// Runs the command with what was parsed; nil for a command that only groups others.
    public let run: (@Sendable (Parsed) throws -> Void)?

    public init(_ name: String, aliases: [String] = [], abstract: String, discussion: String = "", options: [OptionSpec] = [],
                arguments: [ArgumentSpec] = [], subcommands: [CommandSpec] = [], run: (@Sendable (Parsed) throws -> Void)? = nil) {
        self.name = name
        self.aliases = aliases
        self.abstract = abstract
        self.discussion = discussion
        self.options = options
        self.arguments = arguments
        self.subcommands = subcommands
        self.run = run
    }

    func subcommand(named word: String) -> CommandSpec? {
        subcommands.first { $0.name == word || $0.aliases.contains(word) }
    }

    func option(long: String) -> (OptionSpec, negated: Bool)? {
        for option in options {
            if option.long == long { return (option, false) }
            if case .inversion = option.kind, long == "no-" + option.long { return (option, true) }
        }
        return nil
    }

    func option(short: Character) -> OptionSpec? {
        options.first { $0.short == short }
    }
}

/// What the parser found for one command: read by the option's long name or the
/// argument's name. Asking for a name the command does not declare is a bug in
/// orch, caught by the tests that run every command.
public struct Parsed: Sendable {
    public let path: [String]
    let spec: CommandSpec
    var values: [String: [String]] = [:]
    var flags: [String: Bool] = [:]
    var positionals: [String: [String]] = [:]
    /// The words after the first `--`, when there was one.
    public internal(set) var afterTerminator: [String]?

    init(path: [String], spec: CommandSpec) {
        self.path = path
        self.spec = spec
    }

    private func declared(_ long: String) -> OptionSpec {
        guard let option = spec.options.first(where: { $0.long == long }) else {
            preconditionFailure("`\(path.joined(separator: " "))` has no option --\(long)")
        }
        return option
    }

    /// The last value given for a value option, or nil.
    public func string(_ long: String) -> String? {
        _ = declared(long)
        return values[long]?.last
    }

    /// Every value given for a repeatable option, in order.
    public func strings(_ long: String) -> [String] {
        _ = declared(long)
        return values[long] ?? []
    }

    /// A flag: given or not.
    public func flag(_ long: String) -> Bool {
        _ = declared(long)
        return flags[long] ?? false
    }

    /// An inversion: `--x` true, `--no-x` false, neither nil (the last one given wins).
    public func inversion(_ long: String) -> Bool? {
        _ = declared(long)
        return flags[long]
    }

    /// A whole number, or a usage error naming the option.
    public func int(_ long: String) throws(UsageError) -> Int? {
        let option = declared(long)
        guard let text = values[long]?.last else { return nil }
        guard let value = Int(text) else { throw .invalidValue(text, option: option, path: path, choices: nil) }
        return value
    }

    /// One of a fixed set of words, or a usage error listing them.
    public func choice<T: RawRepresentable & CaseIterable>(_ long: String, _ type: T.Type) throws(UsageError) -> T? where T.RawValue == String {
        let option = declared(long)
        guard let text = values[long]?.last else { return nil }
        guard let value = T(rawValue: text) else {
            throw .invalidValue(text, option: option, path: path, choices: T.allCases.map(\.rawValue))
        }
        return value
    }

    /// The positional words of an argument (empty when none).
    public func arguments(_ name: String) -> [String] {
        precondition(spec.arguments.contains { $0.name == name }, "`\(path.joined(separator: " "))` has no argument <\(name)>")
        return positionals[name] ?? []
    }

    public func argument(_ name: String) -> String? {
        arguments(name).first
    }
}

/// A mistake on the command line: printed with the usage line, exit 64 (EX_USAGE).
public struct UsageError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// The `Help:` line: the option or argument the mistake is about.
    let help: String?
    /// The command whose usage to print, by its path below the root (nil: the root).
    let path: [String]?

    init(_ description: String, help: String? = nil, path: [String]?) {
        self.description = description
        self.help = help
        self.path = path
    }

    /// `word` as a message quotes it (`Limits.excerpt`).
    static func excerpt(_ word: some StringProtocol) -> String { Limits.excerpt(word) }

    static func invalidValue(_ text: String, option: OptionSpec, path: [String], choices: [String]?) -> UsageError {
        var message = "The value '\(excerpt(text))' is invalid for '\(option.synopsis(asTyped: option.short.map { "-\($0)" } ?? "--\(option.long)"))'"
        if let choices, !choices.isEmpty {
            let quoted = choices.map { "'\($0)'" }
            let list = quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + " or " + quoted[quoted.count - 1]
            message += ". Please provide one of \(list)."
        }
        let name = option.short.map { "-\($0) <\(option.valueName ?? "")>" } ?? option.longSynopsis
        return UsageError(message, help: "\(name)  \(option.help)", path: path)
    }
}

/// A problem a command found in what it was given (`validate` in other parsers):
/// printed as `Error: …` with the usage line, exit 64.
public struct ValidationError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}

/// Ends orch with this status, having printed whatever it had to say.
public struct ExitCode: Error, Sendable {
    public let rawValue: Int32
    public init(_ code: Int32) { rawValue = code }
}
