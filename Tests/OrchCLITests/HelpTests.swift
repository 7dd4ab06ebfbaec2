import Testing
@testable import OrchCLI

/// `--help` as rendered from the tables: sections, the 26-column label field,
/// wrapping to the terminal's width, examples kept as written.
@Suite struct HelpTests {
    @Test func aCommandsHelp() {
        #expect(Help.text(Fixture.root, path: ["ctl", "ps"], width: 80) == """
            OVERVIEW: Show the processes.

            USAGE: tool ctl ps [--json]

            OPTIONS:
              --json                  Print JSON.
              --version               Show the version.
              -h, --help              Show help information.

            """)
    }

    @Test func aGroupsHelpListsItsSubcommandsWithTheirAliases() {
        #expect(Help.text(Fixture.root, path: ["ctl"], width: 80) == """
            OVERVIEW: Talk to a running tool.

            USAGE: tool ctl <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              ps, status              Show the processes.
              logs                    Show the output.

              See 'tool help ctl <subcommand>' for detailed help.

            """)
    }

    @Test func theRootsHelpKeepsItsExamples() {
        #expect(Help.text(Fixture.root, path: [], width: 80) == """
            OVERVIEW: A tool to test the command line with.

            It runs things.

            EXAMPLES
              tool run web     run web

            USAGE: tool <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              run                     Run things.
              copy                    Copy a file.
              kill                    Stop processes.
              ctl                     Talk to a running tool.

              See 'tool help <subcommand>' for detailed help.

            """)
    }

    /// Arguments, every kind of option, defaults; a usage line too long for 80
    /// columns names `[<options>]` instead of listing them.
    @Test func argumentsOptionsAndDefaults() {
        let text = Help.text(Fixture.root, path: ["run"], width: 80)
        #expect(text == """
            OVERVIEW: Run things.

            USAGE: tool run [<options>] [<names> ...]

            ARGUMENTS:
              <names>                 What to run.

            OPTIONS:
              -f, --file <file>       Config file.
              -e, --env <file>        Env file to load (repeatable).
              -n, --count <count>     How many. (default: 1)
              --color <when>          When to colour.
              --dir <dir>             Working directory.
              -a, --all               Everything.
              -b, --brief             Say less.
              --timestamps/--no-timestamps
                                      Prefix lines with the time.
              --version               Show the version.
              -h, --help              Show help information.

            """)
    }

    @Test(arguments: [
        (Fixture.copy, "tool copy <source> <target> [<mode>]"),
        (Fixture.kill, "tool kill <names> ..."),
        (Fixture.logs, "tool logs [<names> ...] [--lines <lines>] [--follow]"),
        (Fixture.ctl, "tool ctl <subcommand>"),
        (CommandSpec("env", abstract: "", options: [.value("env", name: "file", help: "", repeating: true)], run: { _ in }), "tool env [--env <file> ...]"),
    ])
    func usageLines(_ command: CommandSpec, _ usage: String) {
        #expect(Help.usage(command, fullName: "tool " + command.name) == usage)
    }

    static let wide = CommandSpec(
        "wide",
        abstract: "A command whose abstract is long enough to wrap at every width the tests try, forty columns and more, as help does for a narrow terminal.",
        discussion: """
        The discussion wraps as the abstract does, word by word, at the width asked for and not a column later.

        EXAMPLES
          tool wide --an-example-that-is-longer-than-forty-columns-and-kept-whole   the example's own words
        """,
        options: [
            .value("a-very-long-option-name", name: "value", help: "A long label goes on its own line, its help wraps in the column after the label field."),
            .value("twenty-two-chars", name: "x", help: "Fits the field."),
            .value("twenty-three-char", name: "x", help: "Does not fit the field."),
            .flag("x", help: "Short."),
        ],
        run: { _ in })
    static let wideRoot = CommandSpec("tool", abstract: "Tool.", subcommands: [wide])

    @Test(arguments: [46, 60, 80, 100, 200])
    func linesWrapAtTheWidth(_ width: Int) {
        let text = Help.text(Self.wideRoot, path: ["wide"], width: width)
        let example = "  tool wide --an-example-that-is-longer-than-forty-columns-and-kept-whole   the example's own words"
        for line in text.split(separator: "\n") where line != example {
            #expect(line.count <= width, "\(line.count) > \(width): '\(line)'")
        }
        #expect(text.contains("\n" + example + "\n"), "the indented example is kept as written:\n\(text)")
        let words = { (text: String) in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) }
        #expect(words(text).joined(separator: " ").contains(words(Self.wide.abstract).joined(separator: " ")), "no word is lost or cut")
    }

    @Test func longLabelsGoOnTheirOwnLine() {
        let text = Help.text(Self.wideRoot, path: ["wide"], width: 80)
        let pad = String(repeating: " ", count: 26)
        #expect(text.contains("""

              --a-very-long-option-name <value>
            \(pad)A long label goes on its own line, its help wraps in
            \(pad)the column after the label field.

            """), "\(text)")
        // 22 characters fit the field with two spaces before the help; 23 do not.
        #expect(text.contains("\n  --twenty-two-chars <x>  Fits the field.\n"), "\(text)")
        #expect(text.contains("\n  --twenty-three-char <x>\n\(pad)Does not fit the field.\n"), "\(text)")
    }

    /// Any width a caller passes renders: the text after a label keeps 20 columns.
    @Test(arguments: [Int.min, -1, 0, 1, Int.max])
    func absurdWidthsRender(_ width: Int) {
        let text = Help.text(Self.wideRoot, path: ["wide"], width: width)
        #expect(text.contains("\n  --x                     Short.\n"))
        #expect(text.contains("\n  --twenty-two-chars <x>  Fits the field.\n"))
    }

    @Test func theUsageLineWrapsWithAnIndent() {
        #expect(Help.wrap("USAGE: tool run [<options>] [<names> ...]", width: 20, indent: 2) == """
            USAGE: tool run
              [<options>]
              [<names> ...]
            """)
    }

    @Test(arguments: [
        ("a b c", 3, ["a b", "c"]),
        ("", 10, [""]),
        ("   ", 10, [""]),
        ("one  two", 80, ["one two"]),
        ("averyveryverylongword x", 5, ["averyveryverylongword", "x"]),
        ("a b", 0, ["a", "b"]),
        ("a b", -5, ["a", "b"]),
        ("é ü ö", 3, ["é ü", "ö"]),
    ])
    func wrapLines(_ text: String, _ width: Int, _ lines: [String]) {
        #expect(Help.wrapLines(text, width: width) == lines)
    }

    /// COLUMNS is used when it is a width a terminal can have, else 80.
    @Test(arguments: [
        (nil as String?, 80), ("0", 80), ("-5", 80), ("1000000000000000000000000000000", 80), ("abc", 80), ("", 80),
        ("39", 80), ("40", 40), ("120", 120), ("1000", 1000), ("1001", 80), (" 100", 80), ("100x", 80), ("9223372036854775807", 80),
    ])
    func widthFromColumns(_ columns: String?, _ width: Int) {
        var environment: [String: String] = [:]
        environment["COLUMNS"] = columns
        #expect(Help.width(environment: environment) == width)
    }
}
