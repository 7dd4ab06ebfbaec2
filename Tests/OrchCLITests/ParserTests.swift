import Testing
@testable import OrchCLI

/// The parser's rules, as users of other Swift and Go tools expect them, on the
/// small tables of `Fixture`.
@Suite struct ParserTests {
    /// Every spelling of a value option gives the same value.
    @Test(arguments: [
        (["run", "--file", "a.yaml"], "a.yaml"),
        (["run", "--file=a.yaml"], "a.yaml"),
        (["run", "-f", "a.yaml"], "a.yaml"),
        (["run", "-fa.yaml"], "a.yaml"),
        (["run", "--file=a=b"], "a=b"),
        (["run", "--file="], ""),
        (["run", "-f", ""], ""),
        (["run", "-f", "-"], "-"),
        (["run", "--file", "-"], "-"),
        (["run", "--file=--"], "--"),
        (["run", "--file=-x"], "-x"),
        (["run", "-f-x"], "-x"),
        (["run", "-f=a.yaml"], "a.yaml"),
        (["run", "-f="], ""),
        (["run", "-f==x"], "=x"),
        (["run", "-abf=x"], "x"),
        (["run", "-f", "=x"], "=x"),
        (["run", "-abf", "x"], "x"),
        (["run", "-abfx"], "x"),
        (["run", "web", "-f", "a", "worker"], "a"),
    ])
    func valueOptions(_ words: [String], _ file: String) throws {
        #expect(try Fixture.parsed(words).string("file") == file)
    }

    @Test func absentValuesAreNil() throws {
        let parsed = try Fixture.parsed(["run"])
        #expect(parsed.string("file") == nil)
        #expect(parsed.strings("env") == [])
        #expect(try parsed.int("count") == nil)
        #expect(try parsed.choice("color", Fixture.Color.self) == nil)
        #expect(parsed.flag("all") == false)
        #expect(parsed.inversion("timestamps") == nil)
        #expect(parsed.arguments("names") == [])
        #expect(parsed.argument("names") == nil)
        #expect(parsed.afterTerminator == nil)
        #expect(parsed.path == ["run"])
    }

    /// Flags combine after one dash; a value option in the group takes the rest of the word.
    @Test(arguments: [
        (["run", "-ab"], true, true, nil as String?),
        (["run", "-ba"], true, true, nil),
        (["run", "-a", "-b"], true, true, nil),
        (["run", "-aa"], true, false, nil),
        (["run", "-b"], false, true, nil),
        (["run", "-abf", "x"], true, true, "x"),
        (["run", "-fab"], false, false, "ab"),
        (["run", "--all", "--brief"], true, true, nil),
    ])
    func combinedFlags(_ words: [String], _ all: Bool, _ brief: Bool, _ file: String?) throws {
        let parsed = try Fixture.parsed(words)
        #expect(parsed.flag("all") == all)
        #expect(parsed.flag("brief") == brief)
        #expect(parsed.string("file") == file)
    }

    @Test func aRepeatingOptionKeepsEveryValueInOrder() throws {
        let parsed = try Fixture.parsed(["run", "-e", "a", "--env", "b", "web", "-ec", "--env=d", "-ab", "-e", "a"])
        #expect(parsed.strings("env") == ["a", "b", "c", "d", "a"])
        #expect(parsed.string("env") == "a")
        #expect(parsed.arguments("names") == ["web"])
    }

    @Test func aNonRepeatingOptionGivenTwiceKeepsTheLast() throws {
        let parsed = try Fixture.parsed(["run", "-f", "a", "--file", "b", "-n", "1", "--count=2"])
        #expect(parsed.string("file") == "b")
        #expect(parsed.strings("file") == ["b"])
        #expect(try parsed.int("count") == 2)
    }

    @Test(arguments: [
        ([String](), nil as Bool?),
        (["--timestamps"], true),
        (["--no-timestamps"], false),
        (["--timestamps", "--no-timestamps"], false),
        (["--no-timestamps", "--timestamps"], true),
        (["--no-timestamps", "--no-timestamps"], false),
    ])
    func inversionsLastWins(_ words: [String], _ expected: Bool?) throws {
        #expect(try Fixture.parsed(["run"] + words).inversion("timestamps") == expected)
    }

    /// The first `--` ends the options: what follows is positional, a later `--`
    /// included; a `--` that is an option's value is not the terminator.
    @Test(arguments: [
        (["run", "a", "--", "b", "--c", "--", "-d"], ["a", "b", "--c", "--", "-d"], ["b", "--c", "--", "-d"] as [String]?, nil as String?),
        (["run", "--"], [], [], nil),
        (["run", "--", "--"], ["--"], ["--"], nil),
        (["run", "--", "-h", "--version", "--help"], ["-h", "--version", "--help"], ["-h", "--version", "--help"], nil),
        (["run", "--", "-f", "x"], ["-f", "x"], ["-f", "x"], nil),
        (["run", "--file=--", "x"], ["x"], nil, "--"),
        (["run", "--file=--", "--", "x"], ["x"], ["x"], "--"),
        (["run", "-f", "a", "--", ""], [""], [""], "a"),
        (["run", "a"], ["a"], nil, nil),
    ])
    func theFirstTerminatorEndsOptions(_ words: [String], _ names: [String], _ after: [String]?, _ file: String?) throws {
        let parsed = try Fixture.parsed(words)
        #expect(parsed.arguments("names") == names)
        #expect(parsed.afterTerminator == after)
        #expect(parsed.string("file") == file)
    }

    /// A lone `-` is a word (stdin by convention), never an option.
    @Test func aLoneDashIsAPositional() throws {
        #expect(try Fixture.parsed(["run", "-"]).arguments("names") == ["-"])
        let copy = try Fixture.parsed(["copy", "-", "-"])
        #expect(copy.argument("source") == "-")
        #expect(copy.argument("target") == "-")
        #expect(copy.argument("mode") == nil)
        #expect(try Fixture.parsed(["run", "-e", "-", "-"]).strings("env") == ["-"])
    }

    /// A value that looks like an option is a missing value, not the value.
    @Test(arguments: [
        (["run", "-e", "--"], "Missing value for '-e <file>'", "-e <file>  Env file to load (repeatable)."),
        (["run", "-e", "-x"], "Missing value for '-e <file>'", "-e <file>  Env file to load (repeatable)."),
        (["run", "-e", "--all"], "Missing value for '-e <file>'", "-e <file>  Env file to load (repeatable)."),
        (["run", "-e"], "Missing value for '-e <file>'", "-e <file>  Env file to load (repeatable)."),
        (["run", "-ae"], "Missing value for '-e <file>'", "-e <file>  Env file to load (repeatable)."),
        (["run", "--env", "--", "x"], "Missing value for '--env <file>'", "--env <file>  Env file to load (repeatable)."),
        (["run", "--env"], "Missing value for '--env <file>'", "--env <file>  Env file to load (repeatable)."),
        (["run", "-n", "-5"], "Missing value for '-n <count>'", "-n <count>  How many."),
        (["run", "-f", "-h"], "Missing value for '-f <file>'", "-f <file>  Config file."),
    ])
    func aValueThatLooksLikeAnOptionIsMissing(_ words: [String], _ message: String, _ help: String) throws {
        let error = try #require(Fixture.usageError(words))
        #expect(error.description == message)
        #expect(error.help == help)
        #expect(error.path == ["run"])
    }

    /// The messages orch has printed since ArgumentParser, word for word.
    @Test(arguments: [
        (["run", "--bogus"], "Unknown option '--bogus'"),
        (["run", "--bogus=1"], "Unknown option '--bogus'"),
        (["run", "--no-all"], "Unknown option '--no-all'"),
        (["run", "--no-"], "Unknown option '--no-'"),
        (["run", "--File"], "Unknown option '--File'"),
        (["run", "-x"], "Unknown option '-x'"),
        (["run", "-ax"], "Unknown option '-x'"),
        (["run", "--all=yes"], "The option '--all' takes no value"),
        (["run", "--timestamps=1"], "The option '--timestamps' takes no value"),
        (["run", "--no-timestamps="], "The option '--no-timestamps' takes no value"),
        (["--bogus"], "Unknown option '--bogus'"),
        (["-x"], "Unknown option '-x'"),
        (["bogus"], "Unexpected argument 'bogus'"),
        (["ctl", "bogus"], "Unexpected argument 'bogus'"),
        (["ctl", "--json"], "Unknown option '--json'"),
        (["ctl", "ps", "extra"], "Unexpected argument 'extra'"),
        (["copy", "a", "b", "c", "d"], "Unexpected argument 'd'"),
        (["copy", "a", "b", "c", "--", "d"], "Unexpected argument 'd'"),
        (["copy"], "Missing expected argument '<source>'"),
        (["copy", "a"], "Missing expected argument '<target>'"),
        (["kill"], "Missing expected argument '<names> ...'"),
        (["kill", "--"], "Missing expected argument '<names> ...'"),
    ])
    func usageErrors(_ words: [String], _ message: String) throws {
        let error = try #require(Fixture.usageError(words))
        #expect(error.description == message)
    }

    /// What the user sees: the message, the `Help:` line when there is one, the usage
    /// of the command the mistake is in and where to read more (exit 64 in CLI.main).
    @Test(arguments: [
        (["run", "--bogus"], """
            Error: Unknown option '--bogus'
            Usage: tool run [<options>] [<names> ...]
              See 'tool run --help' for more information.

            """),
        (["run", "-e", "--"], """
            Error: Missing value for '-e <file>'
            Help:  -e <file>  Env file to load (repeatable).
            Usage: tool run [<options>] [<names> ...]
              See 'tool run --help' for more information.

            """),
        (["copy"], """
            Error: Missing expected argument '<source>'
            Help:  <source>  The file to copy.
            Usage: tool copy <source> <target> [<mode>]
              See 'tool copy --help' for more information.

            """),
        (["ctl", "ps", "-x"], """
            Error: Unknown option '-x'
            Usage: tool ctl ps [--json]
              See 'tool ctl ps --help' for more information.

            """),
        (["ctl", "nope"], """
            Error: Unexpected argument 'nope'
            Usage: tool ctl <subcommand>
              See 'tool ctl --help' for more information.

            """),
        (["help", "ctl", "nope"], """
            Error: Unknown subcommand 'nope'
            Usage: tool ctl <subcommand>
              See 'tool ctl --help' for more information.

            """),
        (["nope"], """
            Error: Unexpected argument 'nope'
            Usage: tool <subcommand>
              See 'tool --help' for more information.

            """),
    ])
    func errorTextAsPrinted(_ words: [String], _ text: String) throws {
        let error = try #require(Fixture.usageError(words))
        #expect(Help.errorText(error, root: Fixture.root) == text)
    }

    /// `-h`, `--help` and `--version` anywhere before the first `--`, in any command;
    /// after it they are words like any other.
    @Test(arguments: [
        ([], "help"),
        (["-h"], "help"),
        (["--help"], "help"),
        (["--version"], "version"),
        (["ctl"], "help ctl"),
        (["ctl", "-h"], "help ctl"),
        (["ctl", "--version"], "version"),
        (["run", "-h"], "help run"),
        (["run", "--help"], "help run"),
        (["run", "web", "--help"], "help run"),
        (["run", "-f", "x", "-h"], "help run"),
        (["run", "-h", "--bogus"], "help run"),
        (["run", "--version"], "version"),
        (["run", "-ah"], "help run"),
        (["run", "-abh"], "help run"),
        (["copy", "-h"], "help copy"),
        (["ctl", "ps", "--help"], "help ctl ps"),
        (["ctl", "status", "-h"], "help ctl ps"),
        (["run", "--", "-h"], "run run"),
        (["run", "--", "--help"], "run run"),
        (["run", "--", "--version"], "run run"),
        (["run", "-fh"], "run run"),
        (["run", "--file=--help"], "run run"),
        (["run", "help"], "run run"),
        (["help"], "help"),
        (["help", "run"], "help run"),
        (["help", "ctl"], "help ctl"),
        (["help", "ctl", "ps"], "help ctl ps"),
        (["help", "ctl", "status"], "help ctl ps"),
        (["help", "bogus"], "Error: Unknown subcommand 'bogus'"),
        (["help", "run", "bogus"], "Error: Unknown subcommand 'bogus'"),
        (["help", "ctl", "bogus"], "Error: Unknown subcommand 'bogus'"),
        (["ctl", "help"], "Error: Unexpected argument 'help'"),
        (["ctl", "status"], "run ctl ps"),
    ])
    func helpAndVersion(_ words: [String], _ outcome: String) {
        #expect(Fixture.outcome(words) == outcome)
    }

    @Test func anUnknownHelpPathNamesTheCommandItIsIn() throws {
        #expect(try #require(Fixture.usageError(["help", "bogus"])).path == [])
        #expect(try #require(Fixture.usageError(["help", "ctl", "bogus"])).path == ["ctl"])
    }

    /// The requests only the shell scripts and the docs script make, as the first word only.
    @Test(arguments: [
        (["---complete", "2", "ctl", "ps"], "complete 2 ctl ps"),
        (["---complete", "0"], "complete 0 "),
        (["---complete", "+1", "run"], "complete 1 run"),
        (["---complete", "9223372036854775807", "run"], "complete 9223372036854775807 run"),
        (["---complete"], "Error: ---complete needs the index of the word to complete, then the words"),
        (["---complete", "x", "run"], "Error: ---complete needs the index of the word to complete, then the words"),
        (["---complete", "-1", "run"], "Error: ---complete needs the index of the word to complete, then the words"),
        (["---complete", "99999999999999999999999", "run"], "Error: ---complete needs the index of the word to complete, then the words"),
        (["---manual", "2026-01-01"], "manual 2026-01-01"),
        (["---manual"], "manual "),
        (["--generate-completion-script", "bash"], "script bash"),
        (["--generate-completion-script=zsh"], "script zsh"),
        (["--generate-completion-script", "fish"], "script fish"),
        (["--generate-completion-script"], "Error: --generate-completion-script needs a shell: bash, zsh, fish"),
        (["--generate-completion-script", "tcsh"], "Error: --generate-completion-script needs a shell: bash, zsh, fish"),
        (["--generate-completion-script="], "Error: --generate-completion-script needs a shell: bash, zsh, fish"),
        (["run", "---complete", "1"], "Error: Unknown option '---complete'"),
    ])
    func hiddenRequests(_ words: [String], _ outcome: String) {
        #expect(Fixture.outcome(words) == outcome)
    }

    @Test func aliasesParseAsTheCommand() throws {
        let parsed = try Fixture.parsed(["ctl", "status", "--json"])
        #expect(parsed.path == ["ctl", "ps"])
        #expect(parsed.flag("json"))
    }

    @Test func positionalsInOrder() throws {
        let copy = try Fixture.parsed(["copy", "a", "--", "-b", "fast"])
        #expect(copy.arguments("source") == ["a"])
        #expect(copy.arguments("target") == ["-b"])
        #expect(copy.argument("mode") == "fast")
        let kill = try Fixture.parsed(["kill", "web", "--", "--worker"])
        #expect(kill.arguments("names") == ["web", "--worker"])
    }

    @Test(arguments: [
        ("5", 5), ("0", 0), ("-5", -5), ("+7", 7), ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
    ])
    func wholeNumbers(_ text: String, _ value: Int) throws {
        #expect(try Fixture.parsed(["run", "--count=\(text)"]).int("count") == value)
        #expect(try Fixture.parsed(["run", "-n=\(text)"]).int("count") == value)
    }

    /// Not a number, or one too large for Int: a usage error naming the option, never a trap.
    @Test(arguments: ["5x", "", " 5", "5 ", "0x10", "1e3", "5.0", "99999999999999999999999", "9223372036854775808", "-9223372036854775809", "٣"])
    func notWholeNumbers(_ text: String) throws {
        let parsed = try Fixture.parsed(["run", "--count=" + text])
        let error = try #require(throws: UsageError.self) { try parsed.int("count") }
        #expect(error.description == "The value '\(text)' is invalid for '-n <count>'")
        #expect(error.help == "-n <count>  How many.")
        #expect(error.path == ["run"])
    }

    @Test func choices() throws {
        #expect(try Fixture.parsed(["run", "--color", "always"]).choice("color", Fixture.Color.self) == .always)
        #expect(try Fixture.parsed(["run", "--color=never", "--color=auto"]).choice("color", Fixture.Color.self) == .auto)
        for text in ["sometimes", "", "Always", "always "] {
            let parsed = try Fixture.parsed(["run", "--color", text])
            let error = try #require(throws: UsageError.self) { try parsed.choice("color", Fixture.Color.self) }
            #expect(error.description == "The value '\(text)' is invalid for '--color <when>'. Please provide one of 'auto', 'always' or 'never'.")
            #expect(error.help == "--color <when>  When to colour.")
        }
    }

    @Test func aChoiceOfOneOrTwo() throws {
        enum One: String, CaseIterable { case only }
        enum Two: String, CaseIterable { case yes, no }
        let parsed = try Fixture.parsed(["run", "--color", "x"])
        #expect(throws: UsageError.self) { try parsed.choice("color", One.self) }
        let one = try #require(throws: UsageError.self) { try parsed.choice("color", One.self) }
        #expect(one.description == "The value 'x' is invalid for '--color <when>'. Please provide one of 'only'.")
        let two = try #require(throws: UsageError.self) { try parsed.choice("color", Two.self) }
        #expect(two.description == "The value 'x' is invalid for '--color <when>'. Please provide one of 'yes' or 'no'.")
    }
}
