import Testing
@testable import OrchCLI

/// Command lines no one types by hand but scripts and fuzzers do: huge words, many
/// words, empty words, odd dashes, names past ASCII. Each is a request or a usage
/// error, never a trap, and an error quotes at most 200 characters of a word.
@Suite struct HostileArgumentTests {
    static let megabyte = String(repeating: "x", count: 1 << 20)
    static let cut = String(repeating: "x", count: 200) + "…"

    @Test(arguments: [
        (["copy", "a", "b", "c", megabyte], "Unexpected argument '\(cut)'"),
        ([megabyte], "Unexpected argument '\(cut)'"),
        (["-" + megabyte], "Unknown option '-\(cut.dropFirst())'"),
        (["help", megabyte], "Unknown subcommand '\(cut)'"),
        (["run", "--" + megabyte], "Unknown option '--\(cut.dropFirst(2))'"),
        (["run", "--" + megabyte + "=1"], "Unknown option '--\(cut.dropFirst(2))'"),
        (["run", "--count=" + megabyte], "ok"),
        (["ctl", "ps", "line one\nline two"], "Unexpected argument 'line one…'"),
        (["ctl", "ps", "cr\r\nlf"], "Unexpected argument 'cr…'"),
    ])
    func aHugeWordIsQuotedByItsStart(_ words: [String], _ message: String) throws {
        do {
            let parsed = try Fixture.parsed(words)
            #expect(message == "ok")
            let error = try #require(throws: UsageError.self) { try parsed.int("count") }
            #expect(error.description == "The value '\(Self.cut)' is invalid for '-n <count>'")
        } catch let error as UsageError {
            #expect(error.description == message)
            #expect(Help.errorText(error, root: Fixture.root).utf8.count < 500)
        }
    }

    /// A single character can be a megabyte too: a letter with a million combining marks.
    @Test func aHugeCharacterIsQuotedByItsStart() throws {
        let letter = "e" + String(repeating: "\u{301}", count: 1 << 20)
        #expect(letter.count == 1)
        let error = try #require(Fixture.usageError(["run", "-" + letter]))
        #expect(error.description.unicodeScalars.count < 250)
        #expect(error.description.unicodeScalars.starts(with: "Unknown option '-e\u{301}\u{301}".unicodeScalars))
        #expect(error.description.unicodeScalars.reversed().starts(with: "\u{301}…'".unicodeScalars.reversed()))
    }

    @Test func hugeValuesAreKeptWhole() throws {
        let parsed = try Fixture.parsed(["run", "-f", Self.megabyte, "-e" + Self.megabyte, "--", Self.megabyte])
        #expect(parsed.string("file") == Self.megabyte)
        #expect(parsed.strings("env") == [Self.megabyte])
        #expect(parsed.arguments("names") == [Self.megabyte])
    }

    /// Many words parse in one pass: 200 000 words take no longer than a few copies of them.
    @Test func hundredsOfThousandsOfWords() throws {
        let count = 100_000
        let names = (0..<count).map { "name\($0)" }
        #expect(try Fixture.parsed(["run"] + names).arguments("names") == names)
        let values = try Fixture.parsed(["run"] + names.flatMap { ["-e", $0] })
        #expect(values.strings("env") == names)
        let long = try Fixture.parsed(["run"] + names.map { "--env=" + $0 } + ["--"] + names)
        #expect(long.strings("env") == names)
        #expect(long.afterTerminator == names)
        let flags = try Fixture.parsed(["run", "-" + String(repeating: "ab", count: count)])
        #expect(flags.flag("all") && flags.flag("brief"))
        #expect(Fixture.usageError(["check"] + names)?.description == "Unexpected argument 'check'")
        #expect(Fixture.usageError(["copy"] + names)?.description == "Unexpected argument 'name3'")
    }

    @Test(arguments: [
        ([""], "Error: Unexpected argument ''"),
        (["ctl", ""], "Error: Unexpected argument ''"),
        (["help", ""], "Error: Unknown subcommand ''"),
        (["run", ""], "run run"),
        (["run", "", ""], "run run"),
        (["copy", "", ""], "run copy"),
        (["run", "-f", ""], "run run"),
        (["run", "--file", ""], "run run"),
        (["run", "--", ""], "run run"),
        (["ctl", "ps", ""], "Error: Unexpected argument ''"),
    ])
    func emptyWords(_ words: [String], _ outcome: String) {
        #expect(Fixture.outcome(words) == outcome)
    }

    /// Dashes alone and in odd numbers.
    @Test(arguments: [
        (["-"], "Error: Unexpected argument '-'"),
        (["--"], "Error: Unknown option '--'"),
        (["---"], "Error: Unknown option '---'"),
        (["run", "-"], "run run"),
        (["run", "---"], "Error: Unknown option '---'"),
        (["run", "----"], "Error: Unknown option '----'"),
        (["run", "--=x"], "Error: Unknown option '--=x'"),
        (["run", "--="], "Error: Unknown option '--='"),
        (["run", "---=x"], "Error: Unknown option '---'"),
        (["run", "-="], "Error: Unknown option '-='"),
        (["run", "-a-"], "Error: Unknown option '--'"),
        (["run", "-f="], "run run"),
        (["run", "--", "---"], "run run"),
    ])
    func dashes(_ words: [String], _ outcome: String) {
        #expect(Fixture.outcome(words) == outcome)
    }

    /// Option names past ASCII are unknown options like any other; a combining mark
    /// after the dash makes one character that is not a dash, so a word, not an option.
    @Test(arguments: [
        (["run", "--fïle", "x"], "Error: Unknown option '--fïle'"),
        (["run", "-é"], "Error: Unknown option '-é'"),
        (["run", "-aé"], "Error: Unknown option '-é'"),
        (["run", "-😀"], "Error: Unknown option '-😀'"),
        (["run", "—file"], "run run"),
        (["run", "-\u{301}"], "run run"),
        (["run", "--\u{301}"], "Error: Unknown option '--\u{301}'"),
        (["run", "-f\u{301}"], "Error: Unknown option '-f\u{301}'"),
        (["rün"], "Error: Unexpected argument 'rün'"),
        (["run", "--file=é"], "run run"),
    ])
    func namesPastASCII(_ words: [String], _ outcome: String) {
        #expect(Fixture.outcome(words) == outcome)
    }

    /// What `-` words are to the parser, the completion agrees with.
    @Test func completionAgreesWithTheParserOnDashes() {
        #expect(Completion.candidates(Fixture.root, index: 2, words: ["copy", "-", ""]) == [":directory"])
        #expect(Completion.candidates(Fixture.root, index: 2, words: ["run", "-af", ""]) == [":file"])
        #expect(Completion.candidates(Fixture.root, index: -1, words: ["run"]) == [])
    }
}
